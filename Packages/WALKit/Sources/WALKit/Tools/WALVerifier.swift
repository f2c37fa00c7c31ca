import MantisCore

/// Reads a whole log directory without changing anything: every segment header, every record's
/// checksum, the segment chain and LSN continuity, and how the last segment ends.
public enum WALVerifier {
    /// Verifies the log in `directory`. Throws only if the directory cannot be read, is missing
    /// (`notFound`), is a file (`invalidArgument`) or holds no segments; damage is reported in
    /// the result. `visit` sees every valid record in order.
    public static func verify(
        directory: String,
        fileSystem: any FileSystem,
        checksums: [any ChecksumAlgorithm],
        visit: ((RecordHeader, UnsafeRawBufferPointer) throws -> Void)? = nil
    ) throws -> WALVerificationReport {
        switch (try? fileSystem.fileType(directory)) ?? nil {
        case .directory?: break
        case nil: throw MantisError(.notFound, "no such directory", context: ErrorContext(operation: "verify wal", file: directory))
        case .some:
            throw MantisError(.invalidArgument, "this is a file, not a log directory: give the directory holding the wal-*.log segments",
                              context: ErrorContext(operation: "verify wal", file: directory))
        }
        guard let primary = checksums.first else {
            throw MantisError(.invalidArgument, "no checksum algorithm given")
        }
        let set = ChecksumSet(primary: primary, additional: Array(checksums.dropFirst()))
        let names = try fileSystem.contentsOfDirectory(directory)
        let segments = names.compactMap { name in
            WALFormat.firstLSN(ofSegmentNamed: name).map { SegmentInfo(firstLSN: $0, path: Path.join(directory, name)) }
        }.sorted { $0.firstLSN < $1.firstLSN }
        guard !segments.isEmpty else {
            throw MantisError(.notFound, "no write-ahead log segments (wal-*.log) in this directory", context: ErrorContext(operation: "verify wal", file: directory))
        }
        var report = WALVerificationReport(directory: directory)
        report.otherFiles = names.filter { WALFormat.firstLSN(ofSegmentNamed: $0) == nil }
        var previous: SegmentScan?
        for (index, segment) in segments.enumerated() {
            let scan: SegmentScan
            do {
                scan = try SegmentScanner.scan(segment.path, isLast: index == segments.count - 1, fileSystem: fileSystem, checksums: set, visit: visit)
            } catch let error as MantisError where error.code == .corruption || error.code == .unsupportedFormat {
                report.findings.append(.corruption(file: segment.path, offset: error.context.offset ?? 0, reason: error.message))
                previous = nil
                continue
            }
            if scan.header.firstLSN != segment.firstLSN {
                report.findings.append(.corruption(file: segment.path, offset: 16, reason: "segment header says first LSN \(scan.header.firstLSN) but the file name says \(segment.firstLSN)"))
            }
            if let previous {
                if scan.header.previousFirstLSN != previous.header.firstLSN {
                    report.findings.append(.corruption(file: segment.path, offset: 32, reason: "segment follows the one starting at LSN \(scan.header.previousFirstLSN), but the previous segment on disk starts at LSN \(previous.header.firstLSN): a segment is missing"))
                } else if previous.finding == nil, previous.lastLSN.next != scan.header.firstLSN {
                    report.findings.append(.corruption(file: segment.path, offset: 16, reason: "LSN gap: the previous segment ends at LSN \(previous.lastLSN), this one starts at \(scan.header.firstLSN)"))
                }
            }
            if let finding = scan.finding { report.findings.append(finding) }
            report.segments.append(scan)
            report.bytesRead += scan.bytesRead
            previous = scan
        }
        // Markers are not findings: those are damage to segments, which the scrubber acts on.
        report.markers = try WALMarkers.read(directory: directory, fileSystem: fileSystem, names: names)
        return report
    }
}
