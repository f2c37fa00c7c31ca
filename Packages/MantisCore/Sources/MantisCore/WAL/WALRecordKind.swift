/// The type byte of a WAL record. Open for extension (a struct, not an enum); 0 is never a
/// valid kind, so zeroed (preallocated) log space can never read as a record.
public struct WALRecordKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// A key was written in a transaction. Payload: the key and value.
    public static let put = WALRecordKind(rawValue: 1)
    /// A key was deleted in a transaction. Payload: the key.
    public static let delete = WALRecordKind(rawValue: 2)
    /// A transaction committed: its earlier records take effect. Payload: commit metadata.
    public static let commit = WALRecordKind(rawValue: 3)
    /// A transaction aborted: its earlier records are void.
    public static let abort = WALRecordKind(rawValue: 4)
    /// A checkpoint at this point was made durable. Payload: checkpoint metadata.
    public static let checkpoint = WALRecordKind(rawValue: 5)
    /// A batch of writes committed in one record (write set + commit). Payload: the write set.
    public static let writeBatch = WALRecordKind(rawValue: 6)
    /// Free-form record for tools and tests.
    public static let note = WALRecordKind(rawValue: 7)

    public static let allKnown: [WALRecordKind] = [.put, .delete, .commit, .abort, .checkpoint, .writeBatch, .note]

    public var description: String {
        switch self {
        case .put: "put"
        case .delete: "delete"
        case .commit: "commit"
        case .abort: "abort"
        case .checkpoint: "checkpoint"
        case .writeBatch: "write-batch"
        case .note: "note"
        default: "kind-\(rawValue)"
        }
    }
}
