import IntegrityKit
import MantisCore
import TxnKit

/// Random transactions from concurrent tasks over a small key space (to force conflicts),
/// recorded operation by operation with their outcomes: the history `HistoryChecker` checks.
///
/// Each transaction's program (its operations and whether it ends in commit or rollback) is
/// drawn from the seed before it runs, so a seed always replays the same programs; the
/// interleaving is the scheduler's. Every put writes a value no other put writes
/// (`v<transaction>.<operation>`). Deadlocks, serialization failures and lock timeouts abort
/// the transaction and are recorded as such (no retry: the next program runs); any other error is
/// recorded as unexpected, which the checker reports.
struct HistoryWorkload {
    var seed: UInt64
    var isolation: IsolationLevel
    /// A `LockManagers` name.
    var lockPolicy: String
    var workers = 8
    var transactionsPerWorker = 40
    var keyCount = 10
    /// Collect garbage continuously while the workers run (old versions snapshots still need must survive).
    var collectGarbage = true
    /// The largest log record payload: a small one splits a transaction's writes over several
    /// records (`writeBatch` … `commit`), so its first LSN is below its commit LSN.
    var maxRecordPayload = 1 << 20
    /// When set, transactions expire after it and a reaper calls `abortExpired` continuously
    /// (expiry racing with every step, commit included).
    var transactionTimeout: Duration?

    /// What a transaction will do, drawn before it runs.
    enum Step {
        case get(Int), batch([Int]), put(Int), delete(Int), scan(lower: Int?, upper: Int?, limit: Int?), lock(Int)
        /// A get then a put of the same key.
        case readModifyWrite(Int)
        /// `lockForUpdate`, get, put: an update no one can lose.
        case lockedUpdate(Int)
        case yield
    }

    var keys: [String] { (0..<keyCount).map { $0 < 10 ? "k0\($0)" : "k\($0)" } }

    func run() async throws -> TransactionHistory {
        let wal = JitterWAL(seed: seed)
        let store = MVCCStore(checksum: CRC32Checksum())
        let lockManager = try LockManagers.named(lockPolicy, defaultTimeout: .seconds(5))
        var options = TransactionManagerOptions()
        options.maxRecordPayload = maxRecordPayload
        if let transactionTimeout { options.transactionTimeout = transactionTimeout }
        let manager = TransactionManager(store: store, wal: wal, lockManager: lockManager, options: options, lastCommit: 0, nextTransactionID: TransactionID(1))
        defer { manager.abortRunning() }

        // Three keys in four start with a value, the others absent. Retried until it commits
        // (a short transaction timeout may expire it); every attempt is part of the history.
        var transactions: [HistoryTransaction] = []
        while transactions.last?.isCommitted != true {
            let setup = manager.begin(isolation)
            var initial = HistoryTransaction(id: setup.id.rawValue, worker: -1, isolation: isolation, snapshot: setup.snapshot)
            do {
                for (index, key) in keys.enumerated() where index % 4 != 3 {
                    let value = "v\(setup.id.rawValue).\(index)"
                    try await setup.put(Array(key.utf8), Array(value.utf8))
                    initial.operations.append(.write(key: key, value: value))
                }
                try await setup.commit()
                initial.outcome = .committed
            } catch let error as MantisError where error.code == .transactionTimeout && transactions.count < 100 {
                setup.rollback()
                initial.outcome = .aborted(error.code.rawValue)
            }
            transactions.append(initial)
        }

        let done = Shared(false)
        try await withThrowingTaskGroup(of: [HistoryTransaction].self) { group in
            if collectGarbage {
                group.addTask {
                    while !done.value {
                        manager.collectGarbage()
                        try await Task.sleep(for: .milliseconds(1))
                    }
                    return []
                }
            }
            if transactionTimeout != nil {
                group.addTask {
                    while !done.value {
                        manager.abortExpired()
                        try await Task.sleep(for: .microseconds(200))
                    }
                    return []
                }
            }
            group.addTask {
                try await withThrowingTaskGroup(of: [HistoryTransaction].self) { workers in
                    for worker in 0..<self.workers {
                        workers.addTask { await self.work(worker, manager) }
                    }
                    defer { done.value = true }
                    return try await workers.reduce(into: []) { $0 += $1 }
                }
            }
            for try await recorded in group { transactions += recorded }
        }

        var logged: [UInt64: TransactionHistory.LoggedTransaction] = [:]
        var records = 0
        let cursor = try wal.entries(from: .zero)
        while let entry = try cursor.next() {
            guard entry.kind == .writeBatch || entry.kind == .commit else { continue }
            records += 1
            var item = logged[entry.transactionID.rawValue] ?? TransactionHistory.LoggedTransaction(commit: nil, writes: [:])
            for write in try TransactionRecord.decode(entry) {
                item.writes[Self.text(write.key)] = .some(write.value.map(Self.text))
            }
            if entry.kind == .commit { item.commit = entry.lsn.rawValue }
            logged[entry.transactionID.rawValue] = item
        }
        let visible = manager.visibleSnapshot
        var finalState: [String: String] = [:]
        for pair in try store.scan(.all, at: visible) { finalState[Self.text(pair.key)] = Self.text(pair.value) }
        return TransactionHistory(
            seed: seed, label: "\(isolation), \(lockPolicy), seed \(seed)", isolation: isolation,
            transactions: transactions, logged: logged, logRecords: records, finalState: finalState, visibleAtEnd: visible)
    }

    /// One task's transactions, one after another.
    func work(_ worker: Int, _ manager: TransactionManager) async -> [HistoryTransaction] {
        var random = StoreTestRandom(seed: seed &+ 0x9E37_79B9 &* UInt64(worker + 1))
        var recorded: [HistoryTransaction] = []
        for _ in 0..<transactionsPerWorker {
            let steps = program(&random)
            let rollback = random.chance(8)
            recorded.append(await execute(steps, rollback: rollback, worker: worker, manager))
        }
        return recorded
    }

    /// One to six operations, with yields between some of them.
    func program(_ random: inout StoreTestRandom) -> [Step] {
        var steps: [Step] = []
        for _ in 0..<(1 + random.below(6)) {
            if random.chance(40) { steps.append(.yield) }
            let key = random.below(keyCount)
            switch random.below(100) {
            case ..<28: steps.append(.get(key))
            case ..<36: steps.append(.batch((0..<(2 + random.below(3))).map { _ in random.below(keyCount) }))
            case ..<56: steps.append(.put(key))
            case ..<64: steps.append(.delete(key))
            case ..<76:
                let lower = random.chance(20) ? nil : random.below(keyCount)
                let upperDraw = (lower ?? 0) + 1 + random.below(keyCount - (lower ?? 0))
                steps.append(.scan(lower: lower, upper: upperDraw >= keyCount ? nil : upperDraw, limit: random.chance(30) ? 1 + random.below(3) : nil))
            case ..<80: steps.append(.lock(key))
            case ..<88: steps.append(.lockedUpdate(key))
            default: steps.append(.readModifyWrite(key))
            }
        }
        return steps
    }

    /// Runs one program and records what it did and saw.
    func execute(_ steps: [Step], rollback: Bool, worker: Int, _ manager: TransactionManager) async -> HistoryTransaction {
        let keys = self.keys
        let transaction = manager.begin(isolation)
        var record = HistoryTransaction(id: transaction.id.rawValue, worker: worker, isolation: isolation, snapshot: transaction.snapshot)
        var call = 0
        /// One reading call: records each key it read and the value it saw.
        func read(_ body: () throws -> [(key: String, value: String?)]) throws {
            let before = manager.visibleSnapshot
            let results = try body()
            let visible = before...max(before, manager.visibleSnapshot)
            call += 1
            for (key, value) in results { record.operations.append(.read(key: key, value: value, call: call, visible: visible)) }
        }
        func get(_ key: String) throws -> (key: String, value: String?) {
            (key, try transaction.get(Array(key.utf8)).map(Self.text))
        }
        func put(_ key: String) async throws {
            let value = "v\(transaction.id.rawValue).\(record.operations.count)"
            try await transaction.put(Array(key.utf8), Array(value.utf8))
            record.operations.append(.write(key: key, value: value))
        }
        do {
            for step in steps {
                switch step {
                case .yield:
                    await Task.yield()
                case .get(let key):
                    try read { [try get(keys[key])] }
                case .batch(let indices):
                    let names = indices.map { keys[$0] }
                    try read { Array(zip(names, try transaction.get(names.map { Array($0.utf8) }).map { $0.map(Self.text) })) }
                case .put(let key):
                    try await put(keys[key])
                case .delete(let key):
                    try await transaction.delete(Array(keys[key].utf8))
                    record.operations.append(.write(key: keys[key], value: nil))
                case .scan(let lower, let upper, let limit):
                    let range = KeyRange(lower: lower.map { Array(keys[$0].utf8) }, upper: upper.map { Array(keys[$0].utf8) })
                    try read {
                        let pairs = try transaction.scan(range, limit: limit)
                        // A predicate read of every key of the range, absent ones as nil; one that
                        // reached its limit covered the range only up to its last key.
                        var covered = keys.filter { range.contains(Array($0.utf8)) }
                        if let limit, pairs.count == limit, let last = pairs.last.map({ Self.text($0.key) }) { covered.removeAll { $0 > last } }
                        let found = Dictionary(pairs.map { (Self.text($0.key), Self.text($0.value)) }, uniquingKeysWith: { first, _ in first })
                        let names = pairs.map { Self.text($0.key) }
                        if names != names.sorted() || found.count != pairs.count || !found.keys.allSatisfy(covered.contains) {
                            throw MantisError(.internalError, "scan \(range) limit \(limit.map(String.init) ?? "none") returned \(names): out of order, a key twice or outside its range")
                        }
                        return covered.map { ($0, found[$0]) }
                    }
                case .lock(let key):
                    try await transaction.lockForUpdate(Array(keys[key].utf8))
                    record.operations.append(.lock(key: keys[key]))
                case .readModifyWrite(let key):
                    try read { [try get(keys[key])] }
                    try await put(keys[key])
                case .lockedUpdate(let key):
                    try await transaction.lockForUpdate(Array(keys[key].utf8))
                    record.operations.append(.lock(key: keys[key]))
                    try read { [try get(keys[key])] }
                    try await put(keys[key])
                }
            }
            if rollback {
                transaction.rollback()
                record.outcome = .aborted("rollback")
            } else {
                try await transaction.commit()
                record.outcome = .committed
            }
        } catch let error as MantisError where [.deadlock, .serializationFailure, .lockTimeout, .transactionTimeout].contains(error.code) {
            transaction.rollback()
            record.outcome = .aborted(error.code.rawValue)
        } catch {
            transaction.rollback()
            record.outcome = .aborted("unexpected: \(error)")
        }
        return record
    }

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}
