import ObservabilityKit
import Synchronization
import TxnKit

/// The transactions begun through `Database` and when, so the `long_transaction` rule can see
/// the oldest one still running. Finished transactions are dropped when `Database.transaction`
/// ends them, and lazily (at the next look) for those begun with `Database.begin`.
public final class TransactionTracker: Sendable {
    struct Entry {
        let transaction: Transaction
        let started: ContinuousClock.Instant
    }

    private let entries = Mutex<[UInt64: Entry]>([:])
    /// Above this many entries, `track` drops finished ones first (bounded memory).
    static let pruneThreshold = 4096

    init() {}

    func track(_ transaction: Transaction) {
        entries.withLock { entries in
            if entries.count >= Self.pruneThreshold { entries = entries.filter { !$0.value.transaction.isFinished } }
            entries[transaction.id.rawValue] = Entry(transaction: transaction, started: .now)
        }
    }

    func untrack(_ transaction: Transaction) {
        _ = entries.withLock { $0.removeValue(forKey: transaction.id.rawValue) }
    }

    /// The oldest transaction still running, if any.
    public var oldest: RunningTransaction? {
        let now = ContinuousClock.now
        return entries.withLock { entries -> RunningTransaction? in
            entries = entries.filter { !$0.value.transaction.isFinished }
            guard let (id, entry) = entries.min(by: { $0.value.started < $1.value.started }) else { return nil }
            return RunningTransaction(id: id, age: now - entry.started)
        }
    }

    /// Transactions tracked and still running.
    public var running: Int {
        entries.withLock { entries in entries.values.filter { !$0.transaction.isFinished }.count }
    }
}
