import Foundation
import IntegrityScrubber
import MantisCore
import MantisCoreTesting
import MantisDB
import RecoveryKit
import TxnKit

/// A deterministic simulation of the whole database over `FaultInjectingFileSystem`.
///
/// One task drives everything from a seed — no timers, no concurrency it does not schedule
/// itself — so the same seed replays the same run. Each "life" of the database: open (recovery),
/// a seeded workload of interleaved transactions at every isolation level (bank transfers and
/// unique-key writes), checkpoints, scrub passes, injected EIO/ENOSPC on any operation, bit rot at
/// rest; then a crash (unsynced data dropped, torn or garbled), sometimes *during* the next
/// recovery. After every restart the model of acknowledged commits is checked.
///
/// Every third seed runs with `async` durability (no flusher; explicit syncs now and then): then
/// what survives a crash must be the synced state plus a *prefix*, in commit order, of the commits
/// acknowledged since (each whole or absent), and never less than what a completed sync covered.
struct DatabaseSimulation {
    struct Outcome {
        var lives = 0
        var crashes = 0
        var crashesDuringRecovery = 0
        var commits = 0
        var aborts = 0
        var injectedErrors = 0
        var bitFlips = 0
        var safeModes = 0
        var failures: [String] = []
    }

    static let accounts = 10
    static let initial = 100

    let seed: UInt64
    let lives: Int
    var random: SplitMix64
    let fs: FaultInjectingFileSystem
    /// Acknowledged state: key → value (nil = deleted) for every key the model knows.
    var model: [[UInt8]: [UInt8]] = [:]
    /// Writes that were attempted but not acknowledged (a commit that threw): may or may not be there.
    var uncertain: [[UInt8]: Set<[UInt8]?>] = [:]
    /// Every value ever acknowledged or attempted per key: what a safe-mode prefix may show.
    var history: [[UInt8]: Set<[UInt8]?>] = [:]
    var outcome = Outcome()
    var nextUnique = 0
    /// Async durability: commits acknowledged since the last completed sync, in commit order.
    var unsynced: [[([UInt8], [UInt8]?)]] = []
    var isAsync: Bool { seed % 3 == 0 }

    init(seed: UInt64, lives: Int) {
        self.seed = seed
        self.lives = lives
        self.random = SplitMix64(seed: seed)
        self.fs = FaultInjectingFileSystem(seed: seed)
    }

    static func account(_ index: Int) -> [UInt8] { Array("acct:\(index)".utf8) }

    func options() -> DatabaseOptions {
        var options = DatabaseOptions(directory: "/sim/data")
        options.fileSystem = fs
        options.wal.segmentSize = 32 << 10
        options.wal.syncAlignment = 512
        options.wal.prepareSegmentsAhead = false
        options.checkpoints.interval = nil
        options.checkpoints.walBytes = nil
        options.checkpoints.keep = 2
        options.checkpoints.blockSize = 4096
        options.checkpointOnClose = false
        var scrub = ScrubberOptions()
        scrub.interval = .seconds(3600)
        scrub.firstPassDelay = .seconds(3600)
        scrub.bytesPerSecond = nil
        options.scrub = scrub
        options.diskReserve = nil
        options.transactions.lockTimeout = .milliseconds(2)
        options.lockManager = TimeoutLockManager(defaultTimeout: .milliseconds(2))
        options.retry.maxAttempts = 1
        if isAsync {
            options.wal.durability = .async(flushInterval: .seconds(3600))  // only explicit syncs
            options.rpo = nil
        }
        return options
    }

    mutating func next(_ bound: Int) -> Int { Int(random.next() % UInt64(bound)) }
    mutating func chance(_ percent: Int) -> Bool { next(100) < percent }

    mutating func run() async -> Outcome {
        for life in 0..<lives {
            outcome.lives += 1
            guard let database = await openDatabase(life: life) else { break }
            if !(await check(database, life: life)) { break }
            if database.isReadOnly {
                outcome.safeModes += 1
                try? await database.close()
                break  // an injected bit flip hit synced data: safe mode with a reason is the right answer
            }
            if life == 0 { await setUp(database) }
            await workload(database)
            await crash(database)
        }
        return outcome
    }

    /// Opens, sometimes with a crash in the middle of recovery first.
    mutating func openDatabase(life: Int) async -> Database? {
        if life > 0, chance(20) {
            fs.inject(FaultRule([.write, .sync, .directorySync, .rename, .remove, .truncate], .eio, trigger: .fromNth(next(25) + 1)))
            if let database = try? await Database.open(options()) { try? await database.close() }
            fs.removeAllFaults()
            fs.haltAndCrash(CrashMode.allCases[next(4)])
            fs.restart()
            outcome.crashesDuringRecovery += 1
        }
        do {
            let database = try await Database.open(options())
            if ProcessInfo.processInfo.environment["SIM_VERBOSE"] != nil { print("seed \(seed) life \(life): \(database.recovery?.steps ?? [])") }
            return database
        } catch {
            outcome.failures.append("seed \(seed) life \(life): open failed: \(error)")
            return nil
        }
    }

    mutating func setUp(_ database: Database) async {
        do {
            try await database.transaction(isolation: .serializable) { txn in
                for index in 0..<Self.accounts { try await txn.put(Self.account(index), [UInt8(Self.initial)]) }
            }
            for index in 0..<Self.accounts { history[Self.account(index), default: []].insert([UInt8(Self.initial)]) }
            acknowledge((0..<Self.accounts).map { (Self.account($0), [UInt8(Self.initial)]) })
        } catch {
            outcome.failures.append("seed \(seed): setup failed: \(error)")
        }
    }

    /// Nothing acknowledged lost, nothing unacknowledged invented, the bank total intact.
    mutating func check(_ database: Database, life: Int) async -> Bool {
        var actual: [[UInt8]: [UInt8]] = [:]
        do {
            for pair in try database.scan() { actual[pair.key] = pair.value }
        } catch {
            outcome.failures.append("seed \(seed) life \(life): scan failed: \(error)")
            return false
        }
        if database.isReadOnly {
            // Only damage explains safe mode: without a bit flip it is a false alarm (or worse).
            if outcome.bitFlips == 0 {
                outcome.failures.append("seed \(seed) life \(life): safe mode without any injected damage: \(database.recovery?.steps.last ?? "?")")
                return false
            }
            // Safe mode: a consistent prefix, read-only, with a reason. Every value must be one
            // that was written for that key (never invented or corrupt).
            for (key, value) in actual where !(history[key]?.contains(value) ?? false) {
                outcome.failures.append("seed \(seed) life \(life): safe mode shows \(String(decoding: key, as: UTF8.self)) = \(value), never written")
                return false
            }
            return true
        }
        // Sync durability: everything acknowledged (`unsynced` is empty). Async: the synced state
        // plus the longest prefix of later commits that explains what is there.
        var resolved: [[UInt8]: [UInt8]]?
        var mismatch = ""
        var expected = model
        for taken in 0...unsynced.count {
            if taken > 0 { for (key, value) in unsynced[taken - 1] { expected[key] = value } }
            switch explain(actual, by: expected) {
            case .success(let state): resolved = state
            case .failure(let problem): if taken == 0 { mismatch = problem.text }
            }
        }
        guard let resolved else {
            outcome.failures.append("seed \(seed) life \(life): \(mismatch)\(unsynced.isEmpty ? "" : " (and no prefix of the \(unsynced.count) unsynced commits explains the state)")")
            return false
        }
        let total = (0..<Self.accounts).reduce(0) { $0 + Int(actual[Self.account($1)]?.first ?? 0) }
        let hasAccounts = (0..<Self.accounts).contains { actual[Self.account($0)] != nil }
        if hasAccounts, total != Self.accounts * Self.initial {
            outcome.failures.append("seed \(seed) life \(life): bank total \(total) != \(Self.accounts * Self.initial)")
            return false
        }
        model = resolved
        uncertain = [:]
        unsynced = []
        return true
    }

    struct Mismatch: Error { let text: String }

    /// `actual` as `expected` plus, per key, any value of a commit whose outcome is unknown.
    func explain(_ actual: [[UInt8]: [UInt8]], by expected: [[UInt8]: [UInt8]]) -> Result<[[UInt8]: [UInt8]], Mismatch> {
        var resolved: [[UInt8]: [UInt8]] = [:]
        for key in Set(expected.keys).union(actual.keys).union(uncertain.keys) {
            let got = actual[key]
            let want = expected[key]
            if got == want || (uncertain[key]?.contains(got) ?? false) {
                if let got { resolved[key] = got }
                continue
            }
            return .failure(Mismatch(text: "\(String(decoding: key, as: UTF8.self)) is \(got.map { "\($0)" } ?? "absent"), acknowledged \(want.map { "\($0)" } ?? "absent")"))
        }
        return .success(resolved)
    }

    /// Async durability: a completed sync makes every acknowledged commit durable.
    mutating func syncNow(_ database: Database) async {
        do {
            try await database.sync()
            for writes in unsynced { for (key, value) in writes { model[key] = value } }
            unsynced = []
        } catch {
            outcome.aborts += 0  // a failed sync promises nothing more
        }
    }

    mutating func workload(_ database: Database) async {
        let steps = next(40) + 5
        var open: [(Transaction, [([UInt8], [UInt8]?)])] = []
        for _ in 0..<steps {
            if isAsync, chance(10) { await syncNow(database) }
            switch next(100) {
            case 0..<45:
                // Begin a transfer at a random level, or continue/commit an open one.
                if open.count < 3, chance(60) {
                    let isolation = IsolationLevel.allCases[next(3)]
                    guard let txn = try? database.begin(isolation) else { continue }
                    open.append((txn, []))
                } else if !open.isEmpty {
                    let index = next(open.count)
                    let (txn, writes) = open.remove(at: index)
                    await stepTransfer(txn, writes: writes, database: database, requeue: &open)
                }
            case 45..<75:
                await uniqueWrite(database)
            case 75..<82:
                if (try? await database.checkpoint()) == nil { outcome.aborts += 0 }
            case 82..<86:
                _ = try? await database.scrubber?.scrubOnce()
            case 86..<95:
                // An I/O error on some operation of the log or the checkpoints.
                let operations: [FaultOperation] = [.write, .sync, .read, .open, .rename, .truncate, .directorySync]
                fs.inject(FaultRule([operations[next(operations.count)]], next(2) == 0 ? .eio : .enospc, trigger: .nth(next(6) + 1)))
                outcome.injectedErrors += 1
            default:
                // Bit rot at rest in a random file.
                if let (path, size) = randomFile(), size > 0 {
                    let offset = Int64(next(Int(size)))
                    if ProcessInfo.processInfo.environment["SIM_VERBOSE"] != nil { print("seed \(seed): bit flip in \(path) at \(offset) of \(size); durable LSN \(database.wal.status.durableLSN)") }
                    try? fs.corrupt(path: path, offset: offset, xor: UInt8(1 << next(8)))
                    outcome.bitFlips += 1
                }
            }
            if database.wal.status.failure != nil { break }
        }
        for (txn, _) in open { txn.rollback() }
        fs.removeAllFaults()
    }

    /// A transfer in steps: read two accounts, write both, commit.
    mutating func stepTransfer(_ txn: Transaction, writes: [([UInt8], [UInt8]?)], database: Database, requeue: inout [(Transaction, [([UInt8], [UInt8]?)])]) async {
        let from = next(Self.accounts), to = (from + 1 + next(Self.accounts - 1)) % Self.accounts
        let amount = next(5) + 1
        do {
            let a = Int(try txn.get(Self.account(from))?.first ?? 0)
            let b = Int(try txn.get(Self.account(to))?.first ?? 0)
            guard a >= amount, b + amount < 256 else { txn.rollback(); return }
            let newA = [UInt8(a - amount)], newB = [UInt8(b + amount)]
            try await txn.put(Self.account(from), newA)
            try await txn.put(Self.account(to), newB)
            if chance(70) {
                await commit(txn, writes + [(Self.account(from), newA), (Self.account(to), newB)])
            } else {
                requeue.append((txn, writes + [(Self.account(from), newA), (Self.account(to), newB)]))
            }
        } catch {
            txn.rollback()
            outcome.aborts += 1
        }
    }

    mutating func commit(_ txn: Transaction, _ writes: [([UInt8], [UInt8]?)]) async {
        for (key, value) in writes { history[key, default: []].insert(value) }
        do {
            try await txn.commit()
            acknowledge(writes)
            outcome.commits += 1
        } catch {
            // Not acknowledged: the commit may or may not have reached the log.
            for (key, value) in writes { uncertain[key, default: []].insert(value) }
            outcome.aborts += 1
        }
    }

    mutating func uniqueWrite(_ database: Database) async {
        nextUnique += 1
        let key = Array("u:\(nextUnique)".utf8)
        let value = Array("value \(nextUnique) \(seed)".utf8)
        history[key, default: []].insert(value)
        do {
            try await database.put(key, value)
            acknowledge([(key, value)])
            outcome.commits += 1
        } catch {
            uncertain[key, default: []].insert(value)
            outcome.aborts += 1
        }
    }

    /// Sync: durable now. Async: durable once a later sync completes.
    mutating func acknowledge(_ writes: [([UInt8], [UInt8]?)]) {
        if isAsync {
            unsynced.append(writes)
        } else {
            for (key, value) in writes { model[key] = value }
        }
    }

    /// A file to flip a bit in. Async seeds spare the active log segment: damage to the last synced
    /// batch, with nothing written after it, is indistinguishable from a torn write after a crash
    /// and is cut (a documented limit: `Docs/wal-and-recovery.md`, step 3); with async durability that
    /// batch is large, so the model could not tell which acknowledged commits may go with it.
    mutating func randomFile() -> (String, Int64)? {
        var files: [(String, Int64)] = []
        for directory in ["/sim/data/wal", "/sim/data/checkpoints"] {
            let names = (try? fs.contentsOfDirectory(directory)) ?? []
            let active = names.filter { $0.hasSuffix(".log") }.max()
            for name in names where !(isAsync && name == active) {
                let path = directory + "/" + name
                if let size = try? fs.fileSize(path) { files.append((path, size)) }
            }
        }
        return files.isEmpty ? nil : files[next(files.count)]
    }

    mutating func crash(_ database: Database) async {
        fs.halt()
        _ = fs.crash(CrashMode.allCases[next(4)])
        try? await database.close()
        fs.restart()
        outcome.crashes += 1
    }
}
