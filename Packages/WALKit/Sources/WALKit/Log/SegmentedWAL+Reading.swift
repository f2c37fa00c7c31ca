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
