/// When an append is acknowledged.
public enum Durability: Sendable, Hashable, CustomStringConvertible {
    /// After `fdatasync`: the records survive power loss. Concurrent appends share one sync
    /// (group commit).
    case sync
    /// After the records are in an in-process buffer; a flusher makes them durable within
    /// `flushInterval`. A process crash or power loss can lose at most that window.
    case async(flushInterval: Duration)
    /// After `write(2)`: the records survive a process crash, not a power loss.
    case os

    public var description: String {
        switch self {
        case .sync: "sync"
        case .async(let interval): "async(\(interval))"
        case .os: "os"
        }
    }
}
