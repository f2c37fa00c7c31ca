import IntegrityKit
import MantisCore
import MantisCoreTesting
import RecoveryKit
import Synchronization
import Testing
import TxnKit
import WALKit

@Suite("Recovery under crashes") struct RecoveryCrashTests {
    /// `RECOVERY_CRASH_SEEDS=5,9` replays chosen seeds; the default run covers 1...40.
    static let seeds: [UInt64] = {
        if let list = ProcessInfoLite.environment("RECOVERY_CRASH_SEEDS") { return list.split(separator: ",").compactMap { UInt64($0) } }
        return Array(1...40)
    }()

    /// Per writer: the last sequence number acknowledged and the last one attempted.
    final class Model: Sendable {
        let acknowledged = Mutex<[Int: Int]>([:])
        let attempted = Mutex<[Int: Int]>([:])
        /// Acknowledged before a completed `wal.sync()`: what async durability must keep.
        let synced = Mutex<[Int: Int]>([:])
        let acks = Atomic<Int>(0)
        /// Set at the crash: async commits need no I/O, so writers would otherwise go on forever.
        let halted = Atomic<Bool>(false)
    }

    static let writers = 4

    /// Writer `w` commits its three keys together: a and b = seq, c = seq or deleted when seq % 5 == 0.
    static func writes(writer: Int, seq: Int) -> [([UInt8], [UInt8]?)] {
        let value = Array(String(seq).utf8)
        return [(bytes("w\(writer)/a"), value), (bytes("w\(writer)/b"), value + [UInt8](repeating: 0x2E, count: seq % 97)),
                (bytes("w\(writer)/c"), seq % 5 == 0 ? nil : value)]
    }

    @Test("crash anywhere — commits, checkpoint writing, the rename, log cleanup, recovery itself — and recover exactly the acknowledged state",
          arguments: seeds, [false, true])
    func crashLoop(seed: UInt64, async: Bool) async throws {
        let replay = "replay: RECOVERY_CRASH_SEEDS=\(seed) swift test --package-path Packages/RecoveryKit --filter RecoveryCrashTests (async durability: \(async))"
        // Async: commits are acknowledged before they are durable; only those acknowledged before
        // a completed sync must survive, and checkpoints must not get ahead of the log.
        let durability: Durability = async ? .async(flushInterval: .seconds(1)) : .sync
        let fs = FaultInjectingFileSystem(seed: seed)
        var random = SplitMix64(seed: seed)
        let model = Model()
        var options = CheckpointOptions()
        options.keep = 2
        options.blockSize = 512
        for round in 0..<6 {
            // Sometimes the machine also dies during recovery: an I/O failure from the Nth operation on, then power loss.
            if round > 0, random.next() % 3 == 0 {
                let nth = Int(random.next() % 40) + 1
                fs.inject(FaultRule([.write, .sync, .directorySync, .rename, .remove, .truncate], .eio, trigger: .fromNth(nth)))
                _ = try? RecoveringDatabase(fileSystem: fs, checkpoints: options, segmentSize: 16 << 10, durability: durability)
                fs.removeAllFaults()
                fs.haltAndCrash(CrashMode.allCases[Int(random.next() % 4)])
                fs.restart()
            }
            let db: RecoveringDatabase
            do {
                db = try RecoveringDatabase(fileSystem: fs, checkpoints: options, segmentSize: 16 << 10, durability: durability)
            } catch {
                Issue.record("seed \(seed) round \(round): recovery threw \(error); \(replay)")
                return
            }
            guard db.report.mode == .normal, let manager = db.manager, let checkpointer = db.checkpointer else {
                Issue.record("seed \(seed) round \(round): \(db.report.mode) after an ordinary crash; steps: \(db.report.steps); \(replay)")
                return
            }
            let contents = try db.contents()
            for writer in 0..<Self.writers {
                let acked = async ? model.synced.withLock { $0[writer] } : model.acknowledged.withLock { $0[writer] }
                let tried = model.attempted.withLock { $0[writer] }
                let a = contents[bytes("w\(writer)/a")].flatMap { Int(String(decoding: $0, as: UTF8.self)) }
                guard let tried else {
                    #expect(a == nil, "seed \(seed): writer \(writer) never wrote but has a value")
                    continue
                }
                let seq = a ?? 0
                #expect(seq >= (acked ?? 0), "seed \(seed) round \(round): writer \(writer) acknowledged \(acked ?? 0) but recovered \(seq); \(replay)")
                #expect(seq <= tried, "seed \(seed) round \(round): writer \(writer) recovered \(seq), never attempted past \(tried)")
                if seq > 0 {
                    let expected = Self.writes(writer: writer, seq: seq)
                    for (key, value) in expected {
                        #expect(contents[key] == value, "seed \(seed) round \(round): \(String(decoding: key, as: UTF8.self)) not atomic with seq \(seq); \(replay)")
                    }
                }
                model.acknowledged.withLock { $0[writer] = seq }
                model.attempted.withLock { $0[writer] = seq }
                model.synced.withLock { $0[writer] = seq }
            }

            let crashAt = model.acks.load(ordering: .relaxed) + Int(random.next() % 60) + 5 + (async ? 300 : 0)
            let mode = CrashMode.allCases[Int(random.next() % UInt64(CrashMode.allCases.count))]
            await withTaskGroup(of: Void.self) { group in
                for writer in 0..<Self.writers {
                    group.addTask {
                        var seq = model.acknowledged.withLock { $0[writer] } ?? 0
                        while !model.halted.load(ordering: .relaxed) {
                            seq += 1
                            model.attempted.withLock { $0[writer] = seq }
                            do {
                                try await commit(manager, Self.writes(writer: writer, seq: seq))
                            } catch {
                                // Only the crash may stop a writer (each writes its own keys: no conflicts).
                                if !model.halted.load(ordering: .relaxed) {
                                    Issue.record("seed \(seed): writer \(writer) failed before the crash: \(error); \(replay)")
                                    model.halted.store(true, ordering: .relaxed)
                                    fs.haltAndCrash(.processCrash)
                                }
                                return
                            }
                            model.acknowledged.withLock { $0[writer] = seq }
                            // Async commits do no I/O: pace them so checkpoints and syncs interleave.
                            if async { try? await Task.sleep(for: .microseconds(300)) }
                            if model.acks.add(1, ordering: .relaxed).newValue == crashAt {
                                model.halted.store(true, ordering: .relaxed)
                                fs.haltAndCrash(mode)
                            }
                        }
                    }
                }
                group.addTask {
                    while !model.halted.load(ordering: .relaxed) {
                        do { try await checkpointer.checkpoint() } catch { return }
                        try? await Task.sleep(for: .milliseconds(2))
                    }
                }
                if async, let wal = db.state.wal {
                    group.addTask {
                        // A sync with nothing pending does no I/O, so it does not fail after the crash.
                        while !model.halted.load(ordering: .relaxed) {
                            let before = model.acknowledged.withLock { $0 }
                            do { try await wal.sync() } catch { return }
                            model.synced.withLock { $0.merge(before) { max($0, $1) } }
                            try? await Task.sleep(for: .milliseconds(15))
                        }
                    }
                }
            }
            try? await db.state.wal?.close()
            fs.restart()
            model.halted.store(false, ordering: .relaxed)
        }
    }
}

/// Environment lookup without Foundation.
enum ProcessInfoLite {
    static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }
}

#if canImport(Glibc)
import Glibc
#endif
