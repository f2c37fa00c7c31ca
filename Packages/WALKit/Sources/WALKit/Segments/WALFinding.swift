import MantisCore

/// Damage found in a log, always with the file and byte offset.
public enum WALFinding: Sendable, Hashable, CustomStringConvertible {
    /// Incomplete or invalid bytes after the last valid record of the last segment (a crash
    /// mid-write). Repairable: cut, keeping the bytes beside the segment as `.broken`.
    case tornTail(file: String, offset: Int64, length: Int64, reason: String)
    /// Damage where none is expected (synced data, a header, a gap). Never skipped.
    case corruption(file: String, offset: Int64, reason: String)

    public var isCorruption: Bool {
        if case .corruption = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case let .tornTail(file, offset, length, reason):
            "torn tail in \(file) at offset \(offset), \(length) bytes: \(reason)"
        case let .corruption(file, offset, reason):
            "corruption in \(file) at offset \(offset): \(reason)"
        }
    }

    /// The finding as a typed error.
    public var error: MantisError {
        switch self {
        case let .tornTail(file, offset, length, reason):
            MantisError(.tornWrite, "torn tail of \(length) bytes: \(reason)", context: ErrorContext(operation: "open wal", file: file, offset: offset))
        case let .corruption(file, offset, reason):
            MantisError(.corruption, reason, context: ErrorContext(operation: "read wal", file: file, offset: offset))
        }
    }
}
