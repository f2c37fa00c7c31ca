import MantisCore

/// What the checkpointer last did.
public struct CheckpointerStatus: Sendable {
    public var last: CheckpointInfo?
    public var lastDuration: Duration?
    public var lastCompletedAtNanoseconds: UInt64?
    public var consecutiveFailures = 0
    public var lastFailure: String?
    public var inProgress = false
    public var taken: UInt64 = 0
    public var failed: UInt64 = 0
    /// WAL segments removed (and archived, if configured) after checkpoints.
    public var segmentsRemoved: UInt64 = 0

    public init() {}
}
