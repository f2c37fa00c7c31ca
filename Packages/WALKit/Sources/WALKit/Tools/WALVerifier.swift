import MantisCore

/// Reads a whole log directory without changing anything: every segment header, every record's
/// checksum, the segment chain and LSN continuity, and how the last segment ends.
public enum WALVerifier {
    /// Verifies the log in `directory`. Throws only if the directory cannot be read or holds no
    /// segments; damage is reported in the result. `visit` sees every valid record in order.
    public static func verify(
        directory: String,
        fileSystem: any FileSystem,
        checksums: [any ChecksumAlgorithm],
        visit: ((RecordHeader, UnsafeRawBufferPointer) throws -> Void)? = nil
    ) throws -> WALVerificationReport {
        guard fileSystem.isDirectory(directory) else {
            throw MantisError(.notFound, "no such directory", context: ErrorContext(operation: "verify wal", file: directory))
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
        if names.contains(SyncFailureMarker.fileName) {
            let path = Path.join(directory, SyncFailureMarker.fileName)
            do {
                let marker = try SyncFailureMarker.decode(try fileSystem.readFile(path), path: path)
                let after = marker.recordsAfter(report.lastLSN ?? .zero)
                report.syncFailure = "a sync of the log failed; its last durable record is LSN \(marker.lsn) (\(marker.length) bytes of \(marker.segment)): the next open cuts the \(after) record(s) after it (never acknowledged as durable) and keeps them in .broken files"
            } catch {
                // Not a finding: those are damage to segments, which the scrubber acts on.
                report.syncFailure = "\(path): \((error as? MantisError)?.message ?? "\(error)")"
                report.syncFailureMarkerDamaged = true
            }
        }
        return report
    }
}

/// What `WALVerifier.verify` found.
public struct WALVerificationReport: Sendable {
    public var directory: String
    public var segments: [SegmentScan] = []
    public var findings: [WALFinding] = []
    public var bytesRead: Int64 = 0
    /// Files in the directory that are not segments (`.broken` files, temporaries, others).
    public var otherFiles: [String] = []
    /// What a `sync-failed` marker in the directory means for the next open, if there is one.
    public var syncFailure: String?
    /// The marker cannot be read: the next open refuses the log.
    public var syncFailureMarkerDamaged = false

    public init(directory: String) { self.directory = directory }

    public var recordCount: Int { segments.reduce(0) { $0 + $1.recordCount } }
    public var firstLSN: LSN? { segments.first?.header.firstLSN }
    public var lastLSN: LSN? { segments.last?.lastLSN }
    public var hasCorruption: Bool { findings.contains(where: \.isCorruption) }

    /// 0 clean, 1 torn tail or a sync-failure cut only (repaired by opening), 2 corruption (or
    /// a damaged sync-failure marker).
    public var exitCode: Int32 {
        if hasCorruption || syncFailureMarkerDamaged { return 2 }
        return findings.isEmpty && syncFailure == nil ? 0 : 1
    }
}
