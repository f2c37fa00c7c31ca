import IntegrityKit
import MantisCore
import MantisCoreTesting
import RecoveryKit
import Synchronization
import Testing
import TxnKit
import WALKit

/// SQLite's crash-test style over a whole workload: the workload (open, single- and multi-key
/// commits over rotating log segments, a group commit, checkpoints that remove older checkpoints
/// and log segments gradually, a clean close) is run once to count its file-system calls N, then
/// rerun halting the machine after every k in 0...N calls, in every crash mode; each time the
/// data directory must recover — in normal mode — to exactly the state after some prefix of the
/// attempted commits that holds every acknowledged one, and take and keep a new commit.
///
/// Replay one case: `CRASH_POINT_SEEDS=1 CRASH_POINT_HALTS=123 CRASH_POINT_MODES=tornPrefix
/// swift test --package-path Packages/RecoveryKit --filter CrashPointTests` (lists are
/// comma-separated; `CRASH_POINT_TRACE=1` prints the calls around the halt point, or with no
/// `CRASH_POINT_HALTS` the whole workload's calls).
@Suite("Crash points: a halt after every file-system call of a whole workload")
struct CrashPointTests {
    static let seeds: [UInt64] = {
        if let list = ProcessInfoLite.environment("CRASH_POINT_SEEDS") { return list.split(separator: ",").compactMap { UInt64($0) } }
        return [1, 2]
    }()

    static let haltPoints: [Int]? = ProcessInfoLite.environment("CRASH_POINT_HALTS").map { $0.split(separator: ",").compactMap { Int($0) } }

    static let modes: [CrashMode] = {
        guard let list = ProcessInfoLite.environment("CRASH_POINT_MODES") else { return CrashMode.allCases }
        let names = Set(list.split(separator: ",").map(String.init))
        return CrashMode.allCases.filter { names.contains($0.description) }
    }()

    static let printTrace = ProcessInfoLite.environment("CRASH_POINT_TRACE") != nil

    @Test("halt after every file-system call of open, commits, group commit, checkpoints, log trimming and close; every crash mode; recover exactly a prefix of the commits holding every acknowledged one",
          arguments: seeds)
    func haltAfterEveryCall(seed: UInt64) async throws {
        let start = ContinuousClock.now
        let workload = CrashPointWorkload(seed: seed)

        // The probe: the whole workload, uninterrupted, twice (the calls must be the same each time).
        let probe = HaltingFileSystem(FaultInjectingFileSystem(seed: seed), recordsTrace: true)
        let probeRun = await workload.run(on: probe)
        try #require(probeRun.failure == nil, "seed \(seed): the uninterrupted workload failed: \(probeRun.failure ?? "")")
        try #require(probeRun.acknowledged.count == workload.commitCount, "seed \(seed): \(probeRun.acknowledged.count) of \(workload.commitCount) commits acknowledged")
        #expect(probeRun.groupSyncs == [2, 2], "seed \(seed): the group commits took \(probeRun.groupSyncs) log syncs, not one for the first member and one for the rest")
        await probeRun.abandon()
        let trace = probe.trace
        let total = trace.count
        let again = HaltingFileSystem(FaultInjectingFileSystem(seed: seed), recordsTrace: true)
        await workload.run(on: again).abandon()
        if let index = Self.firstDifference(trace, again.trace) {
            Issue.record("seed \(seed): the workload is not deterministic: call \(index + 1) was \(Self.call(trace, index)) then \(Self.call(again.trace, index))")
        }
        let summary = Self.summary(trace)
        if Self.printTrace, Self.haltPoints == nil {
            print("seed \(seed) probe trace:\n" + trace.enumerated().map { "  \($0.offset + 1): \($0.element)" }.joined(separator: "\n"))
        }

        var runs = 0
        var failures = 0
        for mode in Self.modes {
            for haltAfter in Self.haltPoints ?? Array(0...total) {
                runs += 1
                let context = "seed \(seed) \(mode), halted after \(haltAfter) of \(total) calls (next: \(Self.call(trace, haltAfter))); replay: CRASH_POINT_SEEDS=\(seed) CRASH_POINT_HALTS=\(haltAfter) CRASH_POINT_MODES=\(mode)"
                if await !check(workload, mode: mode, haltAfter: haltAfter, probeTrace: trace, context: context) { failures += 1 }
            }
        }
        let elapsed = ContinuousClock.now - start
        print("CrashPointTests seed \(seed): N = \(total) calls (\(summary)); \(workload.commitCount) commits, \(workload.description); \(runs) (halt point, crash mode) runs over \(Self.modes.count) modes in \(elapsed)")
        #expect(failures == 0, "seed \(seed): \(failures) of \(runs) run(s) failed")
    }

    /// One run: the workload halted after `haltAfter` calls, a crash in `mode`, recovery, the checks.
    /// Returns false if a check failed.
    /// A crash during the recovery that follows a crash: the second crash's halt point in the
    /// recovery's calls and its mode.
    struct RecoveryCrash {
        var haltAfter: Int
        var mode: CrashMode
    }

    func check(_ workload: CrashPointWorkload, mode: CrashMode, haltAfter: Int, probeTrace: [String], context: String,
               recoveryCrash: RecoveryCrash? = nil, recoveryCalls: ((Int) -> Void)? = nil) async -> Bool {
        let modeIndex = UInt64(CrashMode.allCases.firstIndex(of: mode)!)
        let fs = FaultInjectingFileSystem(seed: workload.seed &* 1_000_003 &+ UInt64(haltAfter) &* 8 &+ modeIndex)
        let halting = HaltingFileSystem(fs, haltAfter: haltAfter, recordsTrace: true)
        let run = await workload.run(on: halting)
        fs.halt()
        let crash = fs.crash(mode)
        await run.abandon()
        fs.restart()
        let seen = halting.trace
        if let index = Self.firstDifference(Array(seen.prefix(haltAfter)), Array(probeTrace.prefix(haltAfter))) {
            Issue.record("\(context): the run diverged from the probe at call \(index + 1): \(Self.call(seen, index)) instead of \(Self.call(probeTrace, index))")
        }
        if Self.printTrace {
            let window = max(0, haltAfter - 8)..<min(probeTrace.count, haltAfter + 3)
            print("\(context)\n  calls \(window.lowerBound + 1)...: " + window.map { "\($0 + 1)\($0 == haltAfter ? " (refused)" : ""): \(probeTrace[$0])" }.joined(separator: "\n    "))
            print("  workload stopped: \(run.failure ?? "no") after \(run.attempted.count) attempted, \(run.acknowledged.count) acknowledged\n  \(crash)")
        }
        var detail = "\(context); workload: \(run.attempted.count) commits attempted, \(run.acknowledged.count) acknowledged, stopped by \(run.failure ?? "nothing"); \(crash)"
        if let recoveryCalls {
            // Only count the calls of an uninterrupted recovery.
            let counting = HaltingFileSystem(fs, recordsTrace: true)
            if let db = try? CrashPointDatabase.open(counting, keep: workload.keep) { try? await db.state.wal?.close() }
            recoveryCalls(counting.trace.count)
            return true
        }
        if let recoveryCrash {
            // Recovery itself is cut short by a second crash.
            let halting = HaltingFileSystem(fs, haltAfter: recoveryCrash.haltAfter, recordsTrace: true)
            let interrupted = try? CrashPointDatabase.open(halting, keep: workload.keep)
            fs.halt()
            let second = fs.crash(recoveryCrash.mode)
            try? await interrupted?.state.wal?.close()
            fs.restart()
            detail += "; then recovery halted after \(recoveryCrash.haltAfter) calls (next: \(Self.call(halting.trace, recoveryCrash.haltAfter))) and \(second)"
        }

        // Recovery.
        let db: CrashPointDatabase
        do {
            db = try CrashPointDatabase.open(fs, keep: workload.keep)
        } catch {
            Issue.record("\(detail): recovery threw \(error)")
            return false
        }
        guard case .normal = db.state.report.mode, let manager = db.manager, let wal = db.state.wal else {
            Issue.record("\(detail): recovery ended in \(db.state.report.mode) after an ordinary crash; steps: \(db.state.report.steps)")
            return false
        }
        let recovered: [[UInt8]: [UInt8]]
        do {
            recovered = try db.contents()
        } catch {
            Issue.record("\(detail): reading the recovered store threw \(error)")
            try? await wal.close()
            return false
        }
        if let problem = workload.explain(recovered, attempted: run.attempted, acknowledged: run.acknowledged) {
            Issue.record("\(detail): \(problem); recovery steps: \(db.state.report.steps)")
            try? await wal.close()
            return false
        }

        // Writable: a new commit is acknowledged and survives a clean reopen.
        let postKey = bytes("post")
        let postValue = bytes("after a crash at \(haltAfter)")
        do {
            try await commit(manager, [(postKey, postValue)])
            try await db.close()
        } catch {
            Issue.record("\(detail): a commit or clean close after recovery failed: \(error)")
            try? await wal.close()
            return false
        }
        do {
            let reopened = try CrashPointDatabase.open(fs, keep: workload.keep)
            defer { if let wal = reopened.state.wal { Task { try? await wal.close() } } }
            guard case .normal = reopened.state.report.mode, reopened.state.report.cleanShutdown else {
                Issue.record("\(detail): the clean reopen after the post-crash commit ended in \(reopened.state.report.mode), clean \(reopened.state.report.cleanShutdown); steps: \(reopened.state.report.steps)")
                return false
            }
            var expected = recovered
            expected[postKey] = postValue
            let contents = try reopened.contents()
            if contents != expected {
                Issue.record("\(detail): after the post-crash commit and a clean reopen the store differs: \(CrashPointWorkload.difference(contents, expected))")
                return false
            }
            try await reopened.state.wal?.close()
        } catch {
            Issue.record("\(detail): the clean reopen after the post-crash commit threw \(error)")
            return false
        }
        return true
    }

    @Test("a crash during the recovery after a crash: halt recovery after every one of its calls, for a seeded sample of first crashes",
          arguments: seeds)
    func haltDuringRecovery(seed: UInt64) async throws {
        let start = ContinuousClock.now
        let workload = CrashPointWorkload(seed: seed)
        let probe = HaltingFileSystem(FaultInjectingFileSystem(seed: seed), recordsTrace: true)
        await workload.run(on: probe).abandon()
        let trace = probe.trace
        var random = SplitMix64(seed: seed &+ 0xC0FFEE)
        let samples = Int(ProcessInfoLite.environment("CRASH_POINT_RECOVERY_SAMPLES") ?? "") ?? 6
        var runs = 0
        var failures = 0
        for _ in 0..<samples {
            // Power-loss modes only: they leave torn tails, temporary files and reverted renames to repair.
            let mode = [CrashMode.dropUnsynced, .tornPrefix, .garbleUnsynced][Int(random.next() % 3)]
            let haltAfter = Int(random.next() % UInt64(trace.count + 1))
            var calls = 0
            let base = "seed \(seed) \(mode), halted after \(haltAfter) of \(trace.count) calls"
            _ = await check(workload, mode: mode, haltAfter: haltAfter, probeTrace: trace, context: base, recoveryCalls: { calls = $0 })
            for recoveryHalt in 0..<calls {
                let second = CrashMode.allCases[Int(random.next() % UInt64(CrashMode.allCases.count))]
                runs += 1
                let context = "\(base), then a crash (\(second)) after \(recoveryHalt) of the recovery's \(calls) calls"
                if await !check(workload, mode: mode, haltAfter: haltAfter, probeTrace: trace, context: context,
                                recoveryCrash: RecoveryCrash(haltAfter: recoveryHalt, mode: second)) {
                    failures += 1
                }
            }
        }
        print("CrashPointTests (crash during recovery) seed \(seed): \(samples) first crashes, \(runs) recovery halt points in \(ContinuousClock.now - start)")
        #expect(failures == 0, "seed \(seed): \(failures) of \(runs) run(s) failed")
    }

    /// The index of the first call where two traces differ (one ending early counts), nil if equal.
    static func firstDifference(_ a: [String], _ b: [String]) -> Int? {
        if let index = a.indices.first(where: { $0 >= b.count || a[$0] != b[$0] }) { return index }
        return a.count == b.count ? nil : a.count
    }

    static func call(_ trace: [String], _ index: Int) -> String {
        index < trace.count ? "#\(index + 1) \(trace[index])" : "none: the workload was over"
    }

    /// How many calls of each kind.
    static func summary(_ trace: [String]) -> String {
        var counts: [String: Int] = [:]
        for call in trace { counts[String(call.prefix { $0 != " " }), default: 0] += 1 }
        return counts.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
}

// MARK: - The workload

/// One commit of the workload: its number (1-based, in LSN order) and its writes (nil: delete).
struct PlannedCommit: Sendable {
    let number: Int
    let writes: [([UInt8], [UInt8]?)]
}

/// A deterministic workload drawn from a seed.
struct CrashPointWorkload: Sendable, CustomStringConvertible {
    enum Step: Sendable {
        case commit(PlannedCommit)
        /// Commits on disjoint keys that share one group-commit round (after the first one's round).
        case group([PlannedCommit])
        case checkpoint
        case close
    }

    let seed: UInt64
    let steps: [Step]
    /// How many checkpoints the checkpointer keeps (1 or 2 by seed).
    let keep: Int
    let commitCount: Int

    static let keys = (0..<14).map { bytes("key\($0 < 10 ? "0" : "")\($0)") }

    init(seed: UInt64) {
        self.seed = seed
        keep = seed % 2 == 1 ? 1 : 2
        var random = SplitMix64(seed: seed)
        var number = 0
        var live = Set<[UInt8]>()
        var steps: [Step] = []
        func makeCommit(keys: [[UInt8]]) -> PlannedCommit {
            number += 1
            var writes: [([UInt8], [UInt8]?)] = []
            for key in keys {
                if live.contains(key), random.next() % 5 == 0 {
                    writes.append((key, nil))
                    live.remove(key)
                } else {
                    // Up to ~900 bytes: records cross sectors, and several commits fill a segment.
                    let length = Int(random.next() % 900)
                    let fill = UInt8(truncatingIfNeeded: random.next() | 1)
                    writes.append((key, bytes("c\(number):") + key + [0x3A] + (0..<length).map { $0 % 31 == 0 ? UInt8(truncatingIfNeeded: $0 >> 5) : fill }))
                    live.insert(key)
                }
            }
            return PlannedCommit(number: number, writes: writes)
        }
        func randomKeys(_ count: Int) -> [[UInt8]] {
            var chosen: [[UInt8]] = []
            while chosen.count < count {
                let key = Self.keys[Int(random.next() % UInt64(Self.keys.count))]
                if !chosen.contains(key) { chosen.append(key) }
            }
            return chosen
        }
        func commits(_ count: Int) {
            for _ in 0..<count { steps.append(.commit(makeCommit(keys: randomKeys(1 + Int(random.next() % 4))))) }
        }
        func group(_ count: Int) {
            var keys = randomKeys(count * 2)
            var members: [PlannedCommit] = []
            for _ in 0..<count {
                members.append(makeCommit(keys: Array(keys.prefix(2))))
                keys.removeFirst(2)
            }
            steps.append(.group(members))
        }
        commits(12)
        group(4)
        steps.append(.checkpoint)
        commits(8)
        group(3)
        steps.append(.checkpoint)
        commits(8)
        steps.append(.checkpoint)
        commits(5)
        steps.append(.close)
        self.steps = steps
        commitCount = number
    }

    var description: String {
        var parts: [String] = []
        var singles = 0
        for step in steps {
            if case .commit = step { singles += 1; continue }
            if singles > 0 { parts.append("\(singles) commits"); singles = 0 }
            switch step {
            case .commit: break
            case .group(let members): parts.append("group commit of \(members.count)")
            case .checkpoint: parts.append("checkpoint")
            case .close: parts.append("close")
            }
        }
        if singles > 0 { parts.append("\(singles) commits") }
        return "open, " + parts.joined(separator: ", ") + " (keep \(keep))"
    }

    /// What one run did: the commits attempted in LSN order, those acknowledged, and the old
    /// instance (to abandon after the crash).
    final class Run: @unchecked Sendable {
        var attempted: [PlannedCommit] = []
        var acknowledged: Set<Int> = []
        var failure: String?
        /// Per group commit that completed: the log syncs it took (2: the first member's, the rest's).
        var groupSyncs: [UInt64] = []
        var database: CrashPointDatabase?

        /// The old instance is abandoned: its log closed (on a halted machine nothing reaches the disk).
        func abandon() async {
            try? await database?.state.wal?.close()
            database = nil
        }
    }

    /// Runs the workload on `fileSystem` until the first error.
    func run(on fileSystem: HaltingFileSystem) async -> Run {
        let run = Run()
        do {
            let db = try CrashPointDatabase.open(fileSystem, keep: keep)
            run.database = db
            guard case .normal = db.state.report.mode, let manager = db.manager, let checkpointer = db.checkpointer, let wal = db.state.wal else {
                throw MantisError(.internalError, "opened in \(db.state.report.mode)")
            }
            for step in steps {
                switch step {
                case .commit(let planned):
                    run.attempted.append(planned)
                    try await commit(manager, planned.writes)
                    run.acknowledged.insert(planned.number)
                case .group(let members):
                    try await groupCommit(members, manager: manager, wal: wal, fileSystem: fileSystem, run: run)
                case .checkpoint:
                    try await checkpointer.checkpoint()
                case .close:
                    try await db.close()
                }
            }
        } catch {
            run.failure = "\(error)"
        }
        return run
    }

    /// The first member's round is held at its first file-system call until every other member
    /// has enqueued its records (in order), so they all share the next round: one write, one sync.
    /// Every member's log I/O runs on the log's leader thread (`BlockingIO.never`).
    func groupCommit(_ members: [PlannedCommit], manager: TransactionManager, wal: SegmentedWAL,
                     fileSystem: HaltingFileSystem, run: Run) async throws {
        final class Outcomes: Sendable {
            /// Per member that returned: its error, or nil if acknowledged.
            let finished = Mutex<[Int: (any Error)?]>([:])
        }
        let outcomes = Outcomes()
        func launch(_ index: Int) -> Task<Void, Never> {
            run.attempted.append(members[index])
            let writes = members[index].writes
            return Task {
                var failure: (any Error)?
                do {
                    try await BlockingIO.$policy.withValue(.never) { try await commit(manager, writes) }
                } catch {
                    failure = error
                }
                outcomes.finished.withLock { $0[index] = .some(failure) }
            }
        }
        func waitFor(_ what: String, _ condition: () -> Bool) async throws {
            let deadline = ContinuousClock.now + .seconds(10)
            while !condition() {
                guard ContinuousClock.now < deadline else {
                    fileSystem.releaseGate()
                    throw MantisError(.internalError, "group commit: timed out waiting for \(what)")
                }
                try? await Task.sleep(for: .microseconds(50))
            }
        }
        let syncsBefore = wal.status.syncCount
        fileSystem.armGate()
        var tasks = [launch(0)]
        try await waitFor("the first member's round") { fileSystem.gateReached || outcomes.finished.withLock { $0[0] != nil } }
        if fileSystem.gateReached {
            for index in 1..<members.count {
                let before = wal.status.lastLSN
                tasks.append(launch(index))
                try await waitFor("member \(index + 1) to enqueue") { wal.status.lastLSN > before || outcomes.finished.withLock { $0[index] != nil } }
            }
        }
        fileSystem.releaseGate()
        for task in tasks { await task.value }
        let results = outcomes.finished.withLock { $0 }
        var firstError: (any Error)?
        for index in 0..<tasks.count {
            if let error = results[index] ?? nil {
                firstError = firstError ?? error
            } else {
                run.acknowledged.insert(members[index].number)
            }
        }
        if let firstError { throw firstError }
        run.groupSyncs.append(wal.status.syncCount - syncsBefore)
    }

    /// Nil if `recovered` is the state after a prefix of `attempted` that holds every
    /// acknowledged commit; otherwise what is wrong.
    func explain(_ recovered: [[UInt8]: [UInt8]], attempted: [PlannedCommit], acknowledged: Set<Int>) -> String? {
        let required = attempted.lastIndex { acknowledged.contains($0.number) }.map { $0 + 1 } ?? 0
        var state: [[UInt8]: [UInt8]] = [:]
        var states: [[[UInt8]: [UInt8]]] = [state]
        for planned in attempted {
            for (key, value) in planned.writes { state[key] = value }
            states.append(state)
        }
        if states[required...].contains(where: { $0 == recovered }) { return nil }
        if let lost = states[..<required].lastIndex(where: { $0 == recovered }) {
            let missing = attempted[lost..<required].filter { acknowledged.contains($0.number) }.map(\.number)
            return "ACKNOWLEDGED WRITES LOST: the recovered state is the state after commit \(lost) of \(attempted.count) attempted, but commits \(missing) were acknowledged"
        }
        // Neither: name the prefix it is closest to.
        let closest = states.indices.min { Self.distance(states[$0], recovered) < Self.distance(states[$1], recovered) }!
        return "the recovered state is the state after no prefix of the \(attempted.count) attempted commits (\(required) required); closest: after \(closest) commits, differing in \(Self.difference(recovered, states[closest]))"
    }

    static func distance(_ a: [[UInt8]: [UInt8]], _ b: [[UInt8]: [UInt8]]) -> Int {
        Set(a.keys).union(b.keys).filter { a[$0] != b[$0] }.count
    }

    /// The keys whose values differ, with a short form of each side.
    static func difference(_ actual: [[UInt8]: [UInt8]], _ expected: [[UInt8]: [UInt8]]) -> String {
        func show(_ value: [UInt8]?) -> String {
            guard let value else { return "absent" }
            let head = value.prefix { $0 != 0x3A }
            return "\(String(decoding: head, as: UTF8.self))…(\(value.count) bytes)"
        }
        return Set(actual.keys).union(expected.keys).filter { actual[$0] != expected[$0] }
            .sorted { $0.lexicographicallyPrecedes($1) }
            .map { "\(String(decoding: $0, as: UTF8.self)): recovered \(show(actual[$0])), expected \(show(expected[$0]))" }
            .joined(separator: "; ")
    }
}

// MARK: - The database

/// `RecoveringDatabase` over any file system (the halting wrapper), with small segments and
/// checkpoints, and paced removal of both (1 KiB cuts) so trimming itself has crash points.
final class CrashPointDatabase: Sendable {
    static let dataDirectory = DataDirectory("/data")
    let state: RecoveredState
    let manager: TransactionManager?
    let checkpointer: Checkpointer?
    let fileSystem: any FileSystem

    private init(state: RecoveredState, manager: TransactionManager?, checkpointer: Checkpointer?, fileSystem: any FileSystem) {
        self.state = state
        self.manager = manager
        self.checkpointer = checkpointer
        self.fileSystem = fileSystem
    }

    static let pacing = RemovalPacing(chunk: 1024, pause: .zero)

    static func open(_ fileSystem: any FileSystem, keep: Int) throws -> CrashPointDatabase {
        var walOptions = SegmentedWALOptions()
        walOptions.segmentSize = 6 << 10
        walOptions.syncAlignment = 512
        walOptions.prepareSegmentsAhead = false
        walOptions.durability = .sync
        walOptions.removalPacing = pacing
        let options = RecoveryOptions(
            dataDirectory: dataDirectory, fileSystem: fileSystem, checksum: CRC32Checksum(),
            checksums: [CRC32Checksum(), CRC32CChecksum()], codecs: [NoneCheckpointCodec(), RunLengthCodec()], wal: walOptions)
        let state = try RecoveryEngine(options: options).recover()
        guard let wal = state.wal else { return CrashPointDatabase(state: state, manager: nil, checkpointer: nil, fileSystem: fileSystem) }
        let manager = TransactionManager(
            store: state.store, wal: wal, lockManager: WaitForGraphLockManager(defaultTimeout: .seconds(5)),
            lastCommit: wal.status.lastLSN.rawValue, nextTransactionID: TransactionID(state.maxTransactionID.rawValue + 1))
        var checkpointOptions = CheckpointOptions()
        checkpointOptions.interval = nil
        checkpointOptions.walBytes = nil
        checkpointOptions.keep = keep
        checkpointOptions.blockSize = 512
        checkpointOptions.removalPacing = pacing
        let checkpointer = Checkpointer(
            manager: manager, wal: wal, directory: CheckpointDirectory(path: dataDirectory.checkpoints, fileSystem: fileSystem),
            codec: RunLengthCodec(), checksum: CRC32Checksum(), options: checkpointOptions)
        return CrashPointDatabase(state: state, manager: manager, checkpointer: checkpointer, fileSystem: fileSystem)
    }

    func contents() throws -> [[UInt8]: [UInt8]] { try state.contents(at: manager) }

    /// Graceful close: sync, then the clean-shutdown marker.
    func close() async throws { try await state.closeCleanly(in: Self.dataDirectory, fileSystem: fileSystem) }
}
