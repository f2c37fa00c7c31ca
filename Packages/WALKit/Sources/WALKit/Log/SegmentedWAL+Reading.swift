import MantisCore

extension SegmentedWAL {
    /// Entries with LSN ≥ `lsn` up to the last record written when this is called, each
    /// checksum-verified. `LSN.zero` reads from the oldest segment. Throws `lsnUnavailable` if
    /// `lsn` was removed by cleanup.
    public func entries(from lsn: LSN) throws -> any WALCursor {
        let limit = try state.withLock { state -> LSN in
            if state.closed { throw MantisError(.closed, "the write-ahead log is closed") }
            return state.writtenLSN
        }
        let segments = catalog.withLock { $0 }
        if let first = segments.first, lsn != .zero, lsn < first.firstLSN {
            throw MantisError(.lsnUnavailable, "LSN \(lsn) is no longer in the log; the oldest available is \(first.firstLSN)", context: ErrorContext(operation: "read wal", file: first.path, lsn: lsn.rawValue))
        }
        return SegmentedWALCursor(segments: segments, from: lsn, through: limit, fileSystem: fileSystem, checksums: checksums)
    }
}

extension SegmentedWAL {
    /// Reads a log directory without opening it for writing (nothing is repaired or changed):
    /// entries with LSN ≥ `lsn`, verified, in order, to the end of the last segment. Damage is
    /// thrown as `corruption` after every valid entry before it was returned — what a salvage
    /// or a dry run needs. Throws `lsnUnavailable` if `lsn` is older than the oldest segment.
    public static func readOnlyEntries(
        directory: String,
        fileSystem: any FileSystem,
        checksums: [any ChecksumAlgorithm],
        from lsn: LSN = .zero
    ) throws -> any WALCursor {
        guard let primary = checksums.first else { throw MantisError(.invalidArgument, "no checksum algorithm given") }
        let segments = try fileSystem.contentsOfDirectory(directory).compactMap { name in
            WALFormat.firstLSN(ofSegmentNamed: name).map { SegmentInfo(firstLSN: $0, path: Path.join(directory, name)) }
        }.sorted { $0.firstLSN < $1.firstLSN }
        try checkChain(segments, fileSystem: fileSystem)
        if let first = segments.first, lsn != .zero, lsn < first.firstLSN {
            throw MantisError(.lsnUnavailable, "LSN \(lsn) is no longer in the log; the oldest available is \(first.firstLSN)", context: ErrorContext(operation: "read wal", file: first.path, lsn: lsn.rawValue))
        }
        return SegmentedWALCursor(segments: segments, from: lsn, through: nil, fileSystem: fileSystem,
                                  checksums: ChecksumSet(primary: primary, additional: Array(checksums.dropFirst())))
    }
}

extension SegmentedWAL {
    /// Calls `body` with every record with LSN ≥ `lsn` up to the last one written, in order, each
    /// checksum-verified, without copying payloads (the view is valid only during the call): the
    /// replay path. Damage throws `corruption` with file and offset.
    public func forEachRecord(from lsn: LSN, _ body: (WALRecordView) throws -> Void) throws {
        guard let cursor = try entries(from: lsn) as? SegmentedWALCursor else { return }
        while try cursor.nextView(body) {}
    }
}
