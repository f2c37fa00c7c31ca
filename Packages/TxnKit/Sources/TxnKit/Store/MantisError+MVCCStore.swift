import MantisCore

/// The errors of the MVCC store.
extension MantisError {
    static func mvccSnapshotTooOld(_ snapshot: UInt64, horizon: UInt64) -> MantisError {
        MantisError(
            .lsnUnavailable,
            "snapshot \(snapshot) is older than the garbage-collection horizon \(horizon): versions it needs may be gone (register a snapshot as active before reading at it)",
            context: ErrorContext(operation: "mvcc.read", lsn: snapshot, metadata: ["horizon": String(horizon)])
        )
    }

    static func mvccChecksumMismatch(key: [UInt8], commit: UInt64, expected: UInt32, actual: UInt32) -> MantisError {
        let hex = { (value: UInt32) in "0x" + String(value, radix: 16) }
        return MantisError(
            .corruption,
            "value of key \(ErrorContext.render(key)) committed at \(commit) fails its checksum (stored \(hex(expected)), computed \(hex(actual))); the value is withheld",
            context: ErrorContext(operation: "mvcc.read", key: key, lsn: commit),
            cause: MantisError(.checksumMismatch, "checksum \(hex(actual)) != stored \(hex(expected))")
        )
    }
}
