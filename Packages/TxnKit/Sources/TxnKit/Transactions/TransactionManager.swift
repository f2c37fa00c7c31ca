import Logging
import MantisCore
import Synchronization

/// Begins and commits transactions over an `MVCCStore`, a `WriteAheadLog` and a `LockManager`.
///
/// Commit protocol (log before apply, acknowledge after durable): under one short critical
/// section the transaction is validated (serializable) and its writes are enqueued in the WAL,
/// which fixes its commit timestamp (the LSN of its commit record); outside it, the commit waits
/// for the log's durability, then its versions are installed at that timestamp (by itself or by
/// the committer installing for everyone, see `publish`) together with every earlier commit (all
/// durable: the log is ordered); it releases its locks and returns, visible. New snapshots only
/// cover commits whose every predecessor is installed, so a snapshot never changes. If the WAL
/// fails, the commit throws and nothing becomes visible. A read-only transaction never touches
/// the WAL.
public final class TransactionManager: Sendable {
    public let store: MVCCStore
    public let wal: any WriteAheadLog
    public let lockManager: any LockManager
    /// `lockManager.isAborted`, opened.
    let isLockVictim: LockVictimProbe
    public let options: TransactionManagerOptions
    /// The log's largest record payload (read once): a write that cannot fit in one is refused.
    let maxRecordPayload: Int
    /// Consulted before any writes are logged; a refusal fails the commit with nothing written.
    public let admission: [any WriteAdmission]
    let logger: Logger
    let state: Mutex<CommitState>
    /// Pins taken with a lifetime (`pinSnapshot(expiringAfter:)`), expired by `collectGarbage`.
    let expiringPins = Mutex<[ExpiringPin]>([])
    /// Lock-wait counters outside the commit mutex (every write updates them).
    let lockWaits = Atomic<UInt64>(0)
    let lockWaitNanoseconds = Atomic<UInt64>(0)

    /// - Parameters:
    ///   - lastCommit: the timestamp (LSN) of the newest commit already in `store` (after recovery).
    ///   - nextTransactionID: the first id to hand out; must exceed every id ever used.
    public init(
        store: MVCCStore,
        wal: any WriteAheadLog,
        lockManager: any LockManager,
        options: TransactionManagerOptions = TransactionManagerOptions(),
        lastCommit: UInt64,
        nextTransactionID: TransactionID,
        admission: [any WriteAdmission] = [],
        logger: Logger = Logger(label: "mantisdb.txn", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.admission = admission
        self.store = store
        self.wal = wal
        self.maxRecordPayload = wal.maxRecordPayload
        self.lockManager = lockManager
        self.isLockVictim = LockVictimProbe(lockManager)
        self.options = options
        self.logger = logger
        self.state = Mutex(CommitState(lastCommit: lastCommit, nextTransactionID: nextTransactionID.rawValue))
    }

    /// Starts a transaction; snapshot and serializable transactions read as of now.
    public func begin(_ isolation: IsolationLevel = .snapshot) -> Transaction {
        let now = ContinuousClock.now  // exact, for `oldestRunning`
        let deadline = CoarseClock.deadline(after: options.transactionTimeout)
        return state.withLock { state -> Transaction in
            let id = state.nextTransactionID
            state.nextTransactionID += 1
            let snapshot = state.visible
            state.register(snapshot: snapshot)
            let transaction = Transaction(manager: self, id: TransactionID(id), isolation: isolation, snapshot: snapshot, deadline: deadline)
            state.running[id] = (now, transaction)
            state.statistics.begun += 1
            state.statistics.active += 1
            return transaction
        }
    }

    /// Aborts every transaction past `options.transactionTimeout` that is not committing:
    /// its locks and snapshot are released now, not at its owner's next step (an idle or
    /// abandoned transaction would otherwise hold its locks indefinitely). The owner's next call
    /// throws `transactionTimeout`. `Database` calls this every second; call it periodically when
    /// using a manager directly. Returns how many were aborted.
    @discardableResult
    public func abortExpired() -> Int {
        let now = CoarseClock.nanoseconds()
        let count = end(expired: true, reason: MantisError.Code.transactionTimeout.rawValue) { $0.deadline < now }
        if count > 0 { logger.warning("aborted transactions past the transaction timeout", metadata: ["count": "\(count)"]) }
        return count
    }

    /// Aborts every transaction that is not committing, releasing its locks and snapshot; the
    /// owner's next call throws `transactionClosed`. For closing: an open transaction references
    /// its manager, and the manager its open transactions, so one left open would keep the whole
    /// store in memory. Committing transactions finish by themselves. Returns how many.
    @discardableResult
    public func abortRunning() -> Int {
        end(expired: false, reason: "closed") { _ in true }
    }

    /// Ends the running transactions `chosen` picks that are not committing, and releases them
    /// with the abort `reason`. Returns how many ended.
    private func end(expired: Bool, reason: String, _ chosen: (Transaction) -> Bool) -> Int {
        let picked = state.withLock { state in
            state.running.values.compactMap { chosen($0.transaction) ? $0.transaction : nil }
        }
        var count = 0
        for transaction in picked where transaction.end(expired: expired) {
            release(transaction, outcome: .aborted(reason))
            count += 1
        }
        return count
    }

    /// The longest-running transaction (begun, not yet committed or aborted) and how long it has run.
    public var oldestRunning: (id: TransactionID, age: Duration)? {
        let now = ContinuousClock.now
        return state.withLock { state in
            state.running.min { $0.value.began < $1.value.began }.map { (TransactionID($0.key), now - $0.value.began) }
        }
    }

    /// The newest snapshot: every commit at or below it is installed.
    public var visibleSnapshot: UInt64 { state.withLock { $0.visible } }

    public var statistics: TransactionStatistics {
        var statistics = state.withLock { $0.statistics }
        statistics.lockRequests = lockWaits.load(ordering: .relaxed)
        statistics.lockWaitNanoseconds = lockWaitNanoseconds.load(ordering: .relaxed)
        return statistics
    }

    /// The next transaction id that will be handed out.
    public var nextTransactionID: TransactionID { state.withLock { TransactionID($0.nextTransactionID) } }

    /// Frees versions no active snapshot can see, after expiring pins past their lifetime.
    /// Returns how many.
    @discardableResult
    public func collectGarbage() -> Int {
        expirePins()
        let horizon = state.withLock { $0.oldestActiveSnapshot }
        return store.collectGarbage(oldestActiveSnapshot: horizon)
    }

    /// Keeps the current snapshot readable (garbage collection leaves it alone) until `release`.
    /// For long readers outside transactions, such as a checkpoint. With a `lifetime`, the first
    /// collection after it releases the pin and marks it expired (`hasExpired`): a holder that
    /// went idle cannot keep old versions forever.
    public func pinSnapshot(expiringAfter lifetime: Duration? = nil) -> SnapshotPin {
        let snapshot = state.withLock { state -> UInt64 in
            let snapshot = state.visible
            state.register(snapshot: snapshot)
            return snapshot
        }
        let pin = SnapshotPin(snapshot: snapshot) { [self] in state.withLock { $0.unregister(snapshot: snapshot) } }
        if let lifetime {
            expiringPins.withLock { $0.append(ExpiringPin(deadline: .now + lifetime, pin: pin)) }
        }
        return pin
    }

    /// Releases, as expired, the pins whose lifetime is over; forgets released ones.
    func expirePins() {
        let now = ContinuousClock.now
        let due = expiringPins.withLock { pins -> [SnapshotPin] in
            var due: [SnapshotPin] = []
            pins.removeAll { entry in
                guard let pin = entry.pin, !pin.isReleased else { return true }
                if entry.deadline <= now { due.append(pin); return true }
                return false
            }
            return due
        }
        for pin in due { pin.expire() }
    }

    /// Who holds which lock and who waits for whom.
    public func lockTable() -> LockTableSnapshot { lockManager.snapshot() }
}

/// A registered snapshot; call `release()` when done (garbage collection may then free it).
public final class SnapshotPin: Sendable {
    public let snapshot: UInt64
    private let releaseAction: Mutex<(@Sendable () -> Void)?>
    private let expired = Atomic<Bool>(false)

    init(snapshot: UInt64, release: @escaping @Sendable () -> Void) {
        self.snapshot = snapshot
        self.releaseAction = Mutex(release)
    }

    public func release() {
        let action = releaseAction.withLock { action -> (@Sendable () -> Void)? in
            defer { action = nil }
            return action
        }
        action?()
    }

    /// Released because its lifetime ran out, not by its holder: collection may since have
    /// freed versions committed after `snapshot`. Set before the release takes effect, so a
    /// holder that reads it false after its reads at the snapshot knows they were still covered.
    public var hasExpired: Bool { expired.load(ordering: .sequentiallyConsistent) }

    var isReleased: Bool { releaseAction.withLock { $0 == nil } }

    func expire() {
        expired.store(true, ordering: .sequentiallyConsistent)
        release()
    }

    deinit { release() }
}

/// A pin with a lifetime; weak, so a pin its holder dropped (and so released) is not kept.
struct ExpiringPin: Sendable {
    let deadline: ContinuousClock.Instant
    weak var pin: SnapshotPin?
}
