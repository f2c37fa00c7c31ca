/// How much a transaction sees of others.
///
/// - `readCommitted`: every read sees the latest committed value; writes take exclusive locks
///   held to the end; no validation.
/// - `snapshot`: every read sees the snapshot taken at begin; writes take exclusive locks; a key
///   committed by someone else after the snapshot cannot be written (first updater wins:
///   `serializationFailure`). Write skew is possible.
/// - `serializable`: snapshot isolation plus commit-time validation that nothing this transaction
///   read or scanned (point keys and whole ranges, so phantoms too) was committed by anyone after
///   its snapshot — otherwise `serializationFailure`. Read-only transactions need no validation:
///   they serialize at their snapshot. (Backward-validating optimistic concurrency on top of MVCC;
///   stricter than SSI, so it aborts some transactions SSI would let through.)
public enum IsolationLevel: String, Sendable, CaseIterable, CustomStringConvertible {
    case readCommitted = "read-committed"
    case snapshot
    case serializable

    public var description: String { rawValue }

    /// Parses `read committed`, `read-committed`, `READ_COMMITTED`, `snapshot`, `serializable`.
    public init?(parsing text: String) {
        let normalized = String(text.lowercased().map { $0 == "_" || $0 == " " ? "-" : $0 })
        self.init(rawValue: normalized)
    }
}
