import MantisCore
import Synchronization

/// One transaction: reads see its own writes first; writes are buffered until commit.
///
/// Any error from an operation (a deadlock, a serialization failure, a timeout, corruption)
/// aborts the transaction: its locks are released and later calls throw `transactionClosed`.
/// A transaction is meant to be driven by one task at a time.
public final class Transaction: Sendable {
    public let id: TransactionID
    public let isolation: IsolationLevel
    /// The snapshot (commit timestamp) snapshot and serializable reads are taken at.
    public let snapshot: UInt64
    let manager: TransactionManager
    /// `CoarseClock` nanoseconds after which the transaction is aborted at its next step.
    let deadline: UInt64
    let state = Mutex(State())
    /// True while the transaction is active and has written nothing: a read then needs neither
    /// the mutex nor the write set. Cleared under the mutex, before either changes.
    let activeWithoutWrites = Atomic<Bool>(true)

    struct State {
        enum Status { case active, committing, finished }
        var status = Status.active
        var committed = false
        /// Aborted by `TransactionManager.abortExpired`.
        var expired = false
        var writes = WriteSet()
        var writeBytes = 0
        var locked: Set<KeyBytes> = []
        var reads: Set<KeyBytes> = []
        var ranges: [KeyRange] = []
    }

    /// What commit needs from the transaction.
    struct CommitWork {
        var writes: [(key: [UInt8], value: [UInt8]?)]
        var reads: Set<KeyBytes>
        var ranges: [KeyRange]
    }

    init(manager: TransactionManager, id: TransactionID, isolation: IsolationLevel, snapshot: UInt64, deadline: UInt64) {
        self.manager = manager
        self.id = id
        self.isolation = isolation
        self.snapshot = snapshot
        self.deadline = deadline
    }

    /// True once committed or aborted.
    public var isFinished: Bool { state.withLock { $0.status == .finished } }
    public var isCommitted: Bool { state.withLock { $0.committed } }

    /// The `transactionTimeout` error once `TransactionManager.abortExpired` has aborted this
    /// transaction for running too long (what its owner's next call throws); nil otherwise.
    public var expiry: MantisError? { state.withLock { $0.expired } ? timeoutError() : nil }

    // MARK: Reads

    /// The value of `key` as this transaction sees it (its own writes first). Never waits: reads
    /// take no locks (they read the MVCC snapshot), so the call is synchronous.
    public func get(_ key: [UInt8]) throws -> [UInt8]? {
        // The status check and the own-writes lookup under one hold of the mutex, unless there
        // is nothing to look up.
        let own = try activeWithoutWrites.load(ordering: .acquiring) ? nil : state.withLock { state -> [UInt8]?? in
            guard state.status == .active else { throw closedError(state) }
            return state.writes.isEmpty ? nil : state.writes.lookup(key)
        }
        try checkLive()
        if let own { return own }
        do {
            let value = try manager.store.get(key, at: readSnapshot)
            if isolation == .serializable { _ = state.withLock { $0.reads.insert(KeyBytes(key)) } }
            return value
        } catch {
            abort(after: error)
            throw timeoutIfExpired(error)
        }
    }

    /// The values of `keys` as this transaction sees them, in order: `get` for each, with the
    /// store read as one batch (`MVCCStore.get(_:at:)`, much faster than one read after another
    /// on a large store). Never waits.
    public func get(_ keys: [[UInt8]]) throws -> [[UInt8]?] {
        let own = try activeWithoutWrites.load(ordering: .acquiring) ? [] : state.withLock { state -> [[UInt8]??] in
            guard state.status == .active else { throw closedError(state) }
            return state.writes.isEmpty ? [] : keys.map { state.writes.lookup($0) }
        }
        try checkLive()
        do {
            var values = try manager.store.get(keys, at: readSnapshot)
            for (index, value) in own.enumerated() where value != nil { values[index] = value! }
            if isolation == .serializable {
                state.withLock { state in
                    for (index, key) in keys.enumerated() where own.isEmpty || own[index] == nil {
                        state.reads.insert(KeyBytes(key))
                    }
                }
            }
            return values
        } catch {
            abort(after: error)
            throw timeoutIfExpired(error)
        }
    }

    /// The live pairs of `range` as this transaction sees them, ascending, at most `limit`.
    /// Never waits (no locks, as `get`), so the call is synchronous.
    public func scan(_ range: KeyRange, limit: Int? = nil) throws -> [(key: [UInt8], value: [UInt8])] {
        try checkUsable()
        let own = state.withLock { state in state.writes.writes.filter { range.contains($0.key) } }
        let committed: [(key: [UInt8], value: [UInt8])]
        do {
            // Fetch enough committed pairs that own deletes cannot starve the limit.
            committed = try manager.store.scan(range, at: readSnapshot, limit: limit.map { $0 + own.count })
        } catch {
            abort(after: error)
            throw timeoutIfExpired(error)
        }
        var merged = Self.overlay(committed, with: own)
        if let limit, merged.count > limit { merged.removeLast(merged.count - limit) }
        if isolation == .serializable {
            var covered = range
            if let limit, merged.count == limit, let last = merged.last {
                covered = KeyRange(lower: range.lower, upper: last.key + [0])
            }
            state.withLock { $0.ranges.append(covered) }
        }
        return merged
    }

    // MARK: Writes

    /// Buffers a put of `value` under `key`, taking an exclusive lock on the key first. A key and
    /// value too big for one log record are refused (`recordTooLarge`) and the transaction goes on.
    public func put(_ key: [UInt8], _ value: [UInt8]) async throws {
        try await write(key, value)
    }

    /// Buffers a delete of `key`, taking an exclusive lock on the key first.
    public func delete(_ key: [UInt8]) async throws {
        try await write(key, nil)
    }

    /// Takes the exclusive lock on `key` now, as a write of it would, without writing. For a
    /// read-modify-write: once this returns, no other transaction commits `key` before this one
    /// ends, so at read committed the read that follows sees the latest committed value and the
    /// update can be neither lost nor refused. At snapshot and serializable it fails with
    /// `serializationFailure` if `key` was committed after the snapshot, as the write would.
    public func lockForUpdate(_ key: [UInt8]) async throws {
        try checkUsable()
        try await lockForWrite(key)
    }

    private func write(_ key: [UInt8], _ value: [UInt8]?) async throws {
        try checkUsable()
        try checkFitsOneRecord(key, value)
        try await lockForWrite(key)
        let overLimit = state.withLock { state -> Bool in
            activeWithoutWrites.store(false, ordering: .releasing)
            state.writes.set(key, value)
            state.writeBytes += key.count + (value?.count ?? 0)
            return state.writeBytes > manager.options.maxWriteSetBytes
        }
        if overLimit {
            let error = MantisError(.resourceExhausted, "transaction write set exceeds \(manager.options.maxWriteSetBytes) bytes",
                                    context: ErrorContext(operation: "write", key: key))
            abort(after: error)
            throw error
        }
    }

    /// A write is never split across log records, so one too big for the log's largest record
    /// would fail the commit. Refused here instead (`recordTooLarge`, naming the key), before
    /// anything is locked or buffered: the transaction stays usable.
    private func checkFitsOneRecord(_ key: [UInt8], _ value: [UInt8]?) throws {
        let limit = manager.maxRecordPayload
        let payload = TransactionRecord.payloadSize(ofLone: key, value)
        guard payload > limit else { return }
        let overhead = payload - key.count - (value?.count ?? 0)
        throw MantisError(
            .recordTooLarge,
            "a write of \(key.count + (value?.count ?? 0)) bytes (key and value) cannot be logged: one log record holds at most \(max(0, limit - overhead)) bytes of key and value (wal.max_record_size)",
            context: ErrorContext(operation: "write", key: key))
    }

    /// The exclusive lock on `key` (nothing to do if held), then at snapshot and serializable
    /// the first-committer-wins check. Any failure aborts the transaction.
    private func lockForWrite(_ key: [UInt8]) async throws {
        let needsLock = state.withLock { !$0.locked.contains(KeyBytes(key)) }
        if needsLock {
            let start = ContinuousClock.now
            do {
                try await manager.lockManager.lock(key, mode: .exclusive, for: id, timeout: lockTimeout())
            } catch {
                abort(after: error)
                throw timeoutIfExpired(error)
            }
            manager.recordLockWait(.now - start)
            let stillActive = state.withLock { state -> Bool in
                guard state.status == .active else { return false }
                state.locked.insert(KeyBytes(key))
                return true
            }
            if !stillActive {
                // Expired (or aborted) while waiting: its locks were released without this one.
                manager.lockManager.releaseAll(for: id)
                throw state.withLock { closedError($0) }
            }
            if isolation != .readCommitted, let latest = manager.store.latestCommit(of: key), latest > snapshot {
                let error = MantisError(
                    .serializationFailure,
                    "serialization failure: key was committed by another transaction at \(latest), after this transaction's snapshot \(snapshot); retry the transaction",
                    context: ErrorContext(operation: "write", key: key))
                abort(after: error)
                throw error
            }
        }
    }

    // MARK: End

    /// Commits: returns once the writes are durable (per the WAL's durability) and visible.
    public func commit() async throws {
        try await manager.commit(self)
    }

    /// Rolls back: nothing of this transaction remains. Safe to call after an error.
    public func rollback() {
        manager.finish(self, outcome: .aborted("rollback"))
    }

    // MARK: Internals

    private var readSnapshot: UInt64 {
        isolation == .readCommitted ? manager.visibleSnapshot : snapshot
    }

    private func lockTimeout() -> Duration {
        let now = CoarseClock.nanoseconds()
        return min(manager.options.lockTimeout, now >= deadline ? .zero : .nanoseconds(Int64(clamping: deadline - now)))
    }

    /// Throws unless the transaction may still run (not finished, not past its deadline, not
    /// chosen as a deadlock victim); an expired or wounded transaction is aborted first.
    func checkUsable() throws {
        try state.withLock { state in
            guard state.status == .active else { throw closedError(state) }
        }
        try checkLive()
    }

    private func closedError(_ state: State) -> MantisError {
        if state.expired { return timeoutError() }
        return MantisError(.transactionClosed, "transaction \(id) is \(state.status == .committing ? "committing" : "finished")",
                           context: ErrorContext(operation: "transaction", metadata: ["transaction": "\(id)"]))
    }

    /// The timeout instead of `error` when `error` is only the trace of the transaction running
    /// out of time: `abortExpired` finished it during the call (a lock wait cut short:
    /// `transactionClosed`; the snapshot a read was using released: `lsnUnavailable`), or a lock
    /// wait ended at its deadline (`lockTimeout`). Any other error (corruption, a deadlock, an I/O
    /// error) is passed on as it is: it says more.
    func timeoutIfExpired(_ error: any Error) -> any Error {
        guard let code = (error as? MantisError)?.code, [.transactionClosed, .lsnUnavailable, .lockTimeout].contains(code) else { return error }
        if state.withLock({ $0.expired }) { return timeoutError() }
        if code == .lockTimeout, CoarseClock.nanoseconds() >= deadline { return timeoutError() }
        return error
    }

    private func timeoutError() -> MantisError {
        MantisError(.transactionTimeout, "transaction \(id) ran longer than \(manager.options.transactionTimeout) and was aborted",
                    context: ErrorContext(operation: "transaction", metadata: ["transaction": "\(id)"]))
    }

    /// Throws (after aborting) if the transaction is past its deadline or a deadlock victim.
    private func checkLive() throws {
        if CoarseClock.nanoseconds() > deadline {
            let error = timeoutError()
            abort(after: error)
            throw error
        }
        if manager.isLockVictim(id) {
            let error = MantisError(.deadlock, "deadlock: transaction \(id) was chosen as the victim (wounded by an older transaction); retry it",
                                    context: ErrorContext(operation: "transaction", metadata: ["transaction": "\(id)"]))
            abort(after: error)
            throw error
        }
    }

    func abort(after error: any Error) {
        manager.finish(self, outcome: .aborted(TransactionManager.reason(for: error)))
    }

    /// Moves to committing and hands over what commit needs.
    func beginCommit() throws -> CommitWork {
        try checkUsable()
        return try state.withLock { state in
            // Checked again under the same hold that moves to committing: `abortExpired` may
            // have finished it since `checkUsable` (and released its locks).
            guard state.status == .active else { throw closedError(state) }
            activeWithoutWrites.store(false, ordering: .releasing)
            state.status = .committing
            return CommitWork(writes: state.writes.writes, reads: state.reads, ranges: state.ranges)
        }
    }

    /// Marks an active (not committing) transaction finished, as expired (the owner's next call
    /// throws `transactionTimeout`) or not (`transactionClosed`); false if it was not active.
    func end(expired: Bool) -> Bool {
        state.withLock { state in
            guard state.status == .active else { return false }
            activeWithoutWrites.store(false, ordering: .releasing)
            state.status = .finished
            state.expired = expired
            return true
        }
    }

    /// Marks the end; false if it had already ended.
    func markFinished(committed: Bool) -> Bool {
        state.withLock { state in
            guard state.status != .finished else { return false }
            activeWithoutWrites.store(false, ordering: .releasing)
            state.status = .finished
            state.committed = committed
            return true
        }
    }

    /// Committed pairs with this transaction's own writes laid over them, ascending by key.
    static func overlay(_ committed: [(key: [UInt8], value: [UInt8])], with own: [(key: [UInt8], value: [UInt8]?)]) -> [(key: [UInt8], value: [UInt8])] {
        guard !own.isEmpty else { return committed }
        var ownByKey: [[UInt8]: [UInt8]?] = [:]
        for write in own { ownByKey[write.key] = write.value }
        var result: [(key: [UInt8], value: [UInt8])] = committed.compactMap { pair in
            guard let override = ownByKey[pair.key] else { return pair }
            return override.map { (pair.key, $0) }
        }
        let committedKeys = Set(committed.map(\.key))
        for write in own where !committedKeys.contains(write.key) {
            if let value = write.value { result.append((write.key, value)) }
        }
        result.sort { $0.key.lexicographicallyPrecedes($1.key) }
        return result
    }
}
