/// Shared and exclusive locks on keys for transactions, with a deadlock policy.
///
/// Guarantees every implementation keeps:
/// - a request is granted only when compatible with every holder (S with S; X with nothing);
///   a holder of S may upgrade to X; re-requesting a held mode is granted at once;
/// - waiters queue FIFO per key, and a new shared request does not overtake a queued exclusive
///   one (no writer starvation);
/// - waiting suspends the task, never a thread; a wait ends granted, at the timeout
///   (`lockTimeout`), when the deadlock policy picks the requester as a victim (`deadlock`,
///   naming the cycle or the conflict), or when the requester is released;
/// - `releaseAll` drops every lock and queued request of the transaction and wakes whoever can
///   now proceed.
public protocol LockManager: Sendable {
    /// The registry name of the policy (`wait-for-graph`, `wait-die`, `wound-wait`, `timeout`).
    var policyName: String { get }

    /// Acquires `mode` on `key` for `transaction`, waiting at most `timeout` (nil: the manager's
    /// default). Transaction ids order transactions by age: a smaller id is older.
    func lock(_ key: [UInt8], mode: LockMode, for transaction: TransactionID, timeout: Duration?) async throws

    /// Releases every lock held and every request queued by `transaction`.
    func releaseAll(for transaction: TransactionID)

    /// Whether the policy has chosen `transaction` as a victim (e.g. wounded by an older one);
    /// such a transaction must abort at its next step.
    func isAborted(_ transaction: TransactionID) -> Bool

    /// Who holds what and who waits for whom, for operators.
    func snapshot() -> LockTableSnapshot
}

public enum LockMode: String, Sendable, Hashable, CustomStringConvertible {
    case shared = "S"
    case exclusive = "X"
    public var description: String { rawValue }
}

/// A point-in-time view of a lock table.
public struct LockTableSnapshot: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var key: [UInt8]
        public var holders: [Holder]
        /// Queued requests in FIFO order.
        public var waiters: [Holder]
        public init(key: [UInt8], holders: [Holder], waiters: [Holder]) {
            self.key = key
            self.holders = holders
            self.waiters = waiters
        }
    }

    public struct Holder: Sendable, Hashable {
        public var transaction: TransactionID
        public var mode: LockMode
        public init(transaction: TransactionID, mode: LockMode) {
            self.transaction = transaction
            self.mode = mode
        }
    }

    public var entries: [Entry]
    /// Edges of the wait-for graph: the waiter waits for each listed holder.
    public var waitsFor: [TransactionID: [TransactionID]]

    public init(entries: [Entry], waitsFor: [TransactionID: [TransactionID]]) {
        self.entries = entries
        self.waitsFor = waitsFor
    }
}
