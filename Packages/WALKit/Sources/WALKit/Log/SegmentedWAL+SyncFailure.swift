import MantisCore

extension SegmentedWAL {
    /// Applies a `SyncFailureMarker` left by a failed sync: segments after the marker's are
    /// moved aside (`<segment>.broken`), and the marker's segment is cut at its durable length
    /// (the cut bytes kept in `<segment>.broken`, as for a torn tail). The marker is removed only
    /// once the cut is durable. Returns the segments that remain.
    static func cutBackAfterSyncFailure(
        _ segments: [SegmentInfo], directory: String, fileSystem: any FileSystem, checksums: ChecksumSet,
        options: SegmentedWALOptions, report: inout WALOpenReport
    ) throws -> [SegmentInfo] {
        let markerPath = Path.join(directory, SyncFailureMarker.fileName)
        let marker = try SyncFailureMarker.decode(try fileSystem.readFile(markerPath), path: markerPath)
        guard let index = segments.firstIndex(where: { Path.lastComponent(of: $0.path) == marker.segment }) else {
            throw MantisError(.corruption, "the log's sync-failure marker names segment \(marker.segment), which is not in the log: the log cannot be cut back to its last durable record; inspect the directory, then remove the marker to accept the log as it reads", context: ErrorContext(operation: "open wal", file: markerPath))
        }
        // Segments started after the last durable record hold only records appended after it.
        for later in segments[(index + 1)...].reversed() {
            let broken = uniqueBrokenPath(for: later.path, fileSystem: fileSystem)
            try fileSystem.rename(later.path, to: broken)
            report.brokenFiles.append(broken)
        }
        let segment = segments[index]
        let scan = try SegmentScanner.scan(segment.path, isLast: true, fileSystem: fileSystem, checksums: checksums)
        let end = try endOfData(segment.path, fileSystem: fileSystem)
        if end > marker.length {
            report.brokenFiles.append(try cutTornTail(file: segment.path, offset: marker.length, length: end - marker.length, fileSystem: fileSystem, options: options))
        }
        let cut = marker.recordsAfter(scan.lastLSN)
        report.recordsCutAfterSyncFailure = cut
        options.logger.warning("cut the write-ahead log back to its last durable record after a failed sync (the records after it were never acknowledged as durable, and the kernel may have dropped them)", metadata: [
            "durable_lsn": "\(marker.lsn)", "records_cut": "\(cut)", "segments_moved_aside": "\(segments.count - index - 1)",
            "segment": "\(segment.path)", "durable_bytes": "\(marker.length)", "bytes_cut": "\(max(0, end - marker.length))",
        ])
        try fileSystem.syncDirectory(directory)
        try fileSystem.removeItem(markerPath)
        try fileSystem.syncDirectory(directory)
        return Array(segments[...index])
    }

    /// The offset just past the last nonzero byte of the file (preallocated space reads as zeros).
    static func endOfData(_ path: String, fileSystem: any FileSystem) throws -> Int64 {
        let file = try fileSystem.openFile(path, options: .readOnly)
        defer { try? file.close() }
        var end = try file.size()
        let chunk: Int64 = 1 << 20
        while end > 0 {
            let start = max(0, end - chunk)
            let bytes = try file.read(count: Int(end - start), at: start)
            if let last = bytes.lastIndex(where: { $0 != 0 }) { return start + Int64(last) + 1 }
            end = start
        }
        return 0
    }

    static func uniqueBrokenPath(for path: String, fileSystem: any FileSystem) -> String {
        var broken = path + ".broken"
        var suffix = 1
        while fileSystem.fileExists(broken) {
            broken = path + ".broken.\(suffix)"
            suffix += 1
        }
        return broken
    }
}
