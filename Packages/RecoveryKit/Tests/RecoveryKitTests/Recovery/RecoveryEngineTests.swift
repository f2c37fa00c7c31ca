import IntegrityKit
import MantisCore
import MantisCoreTesting
import RecoveryKit
import Testing
import TxnKit
import WALKit

@Suite("Recovery engine") struct RecoveryEngineTests {
    @Test("checkpoint + log replay rebuilds exactly the committed state; old segments are removed after a checkpoint")
    func checkpointAndReplay() async throws {
        let fs = FaultInjectingFileSystem(seed: 1)
        let db = try RecoveringDatabase(fileSystem: fs)
        for index in 0..<200 { try await commit(db.manager!, [(bytes("k\(index % 50)"), bytes("v\(index)"))]) }
        let walBefore = try fs.contentsOfDirectory(RecoveringDatabase.dataDirectory.wal).count
        #expect(walBefore > 2)
        let info = try await db.checkpointer!.checkpoint()
        #expect(info.entryCount == 50)
        for index in 200..<260 { try await commit(db.manager!, [(bytes("k\(index % 70)"), bytes("v\(index)"))]) }
        try await commit(db.manager!, [(bytes("k3"), nil)])
        let expected = try db.contents()
        _ = try await db.checkpointer!.checkpoint()
        _ = try await db.checkpointer!.checkpoint()
        #expect(try fs.contentsOfDirectory(RecoveringDatabase.dataDirectory.wal).count < walBefore, "segments below the oldest kept checkpoint removed")
        #expect(try CheckpointDirectory(path: RecoveringDatabase.dataDirectory.checkpoints, fileSystem: fs).list().count == 2)
        for index in 260..<280 { try await commit(db.manager!, [(bytes("late\(index)"), bytes("x"))]) }
        let final = try db.contents()
        await db.crash(.dropUnsynced)
        let reopened = try RecoveringDatabase(fileSystem: fs)
        #expect(!reopened.report.cleanShutdown)
        #expect(reopened.report.checkpoint != nil)
        #expect(reopened.report.mode == .normal)
        #expect(try reopened.contents() == final)
        #expect(final.count == expected.count + 20)
    }

    @Test("the first step says what was found: a new directory, a crash, or a clean shutdown")
    func firstStep() async throws {
        let fs = FaultInjectingFileSystem(seed: 3)
        let fresh = try RecoveringDatabase(fileSystem: fs)
        #expect(fresh.report.steps.first == "new data directory: nothing to recover")
        try await commit(fresh.manager!, [(bytes("k"), bytes("v"))])
        await fresh.crash(.dropUnsynced)
        let crashed = try RecoveringDatabase(fileSystem: fs)
        #expect(crashed.report.steps.first == "no clean-shutdown marker: recovering from a crash")
        try await crashed.close()
        let clean = try RecoveringDatabase(fileSystem: fs)
        #expect(clean.report.steps.first?.hasPrefix("clean shutdown at LSN") == true, "\(clean.report.steps)")
        try await clean.close()
    }

    /// Two checkpoints with commits before, between and after them; returns the older, the
    /// newest and the committed contents, the database closed.
    func twoCheckpoints(_ fs: FaultInjectingFileSystem) async throws -> (older: CheckpointInfo, newest: CheckpointInfo, expected: [[UInt8]: [UInt8]]) {
        var options = CheckpointOptions()
        options.keep = 3
        let db = try RecoveringDatabase(fileSystem: fs, checkpoints: options)
        for index in 0..<50 { try await commit(db.manager!, [(bytes("a\(index)"), bytes("1"))]) }
        let older = try await db.checkpointer!.checkpoint()
        for index in 0..<50 { try await commit(db.manager!, [(bytes("b\(index)"), bytes("2"))]) }
        let newest = try await db.checkpointer!.checkpoint()
        for index in 0..<10 { try await commit(db.manager!, [(bytes("c\(index)"), bytes("3"))]) }
        let expected = try db.contents()
        try await db.close()
        return (older, newest, expected)
    }

    @Test("the newest checkpoint corrupt: it is quarantined with a reason file, the older one plus more log is used")
    func fallback() async throws {
        let fs = FaultInjectingFileSystem(seed: 2)
        let (older, newest, expected) = try await twoCheckpoints(fs)
        try fs.corrupt(path: newest.path, offset: 100, xor: 0x40)

        let reopened = try RecoveringDatabase(fileSystem: fs)
        #expect(reopened.report.checkpoint?.lsn == older.lsn)
        #expect(reopened.report.quarantined.count == 1)
        let quarantined = try #require(reopened.report.quarantined.first)
        #expect(fs.fileExists(quarantined))
        #expect(fs.fileExists(quarantined + ".reason.json"))
        let reason = String(decoding: try fs.readFile(quarantined + ".reason.json"), as: UTF8.self)
        #expect(reason.contains("recovery") && reason.contains("offset"))
        #expect(!fs.fileExists(newest.path))
        #expect(try reopened.contents() == expected)
        #expect(reopened.report.mode == .normal)
    }

    @Test("the newest checkpoint unreadable (EIO on every read): left in place, the older one plus more log is used")
    func unreadableFallback() async throws {
        let fs = FaultInjectingFileSystem(seed: 21)
        let (older, newest, expected) = try await twoCheckpoints(fs)
        fs.inject(FaultRule([.read], .eio, trigger: .fromNth(1), pathContains: newest.path))
        let plan = try RecoveryEngine(options: RecoveringDatabase.recoveryOptions(fs)).plan()
        #expect(plan.checkpoint?.lsn == older.lsn)
        #expect(plan.badCheckpoints.map(\.path) == [newest.path])
        #expect(plan.badCheckpoints.first?.reason.contains("unreadable, would be left in place") == true)

        let reopened = try RecoveringDatabase(fileSystem: fs)
        #expect(reopened.report.checkpoint?.lsn == older.lsn)
        #expect(reopened.report.unreadableCheckpoints == [newest.path])
        #expect(reopened.report.quarantined.isEmpty)
        #expect(fs.fileExists(newest.path), "an unreadable file is not moved: the disk may be at fault")
        #expect(try reopened.contents() == expected)
        #expect(reopened.report.mode == .normal)
    }

    @Test("checkpoints written with a codec this build lacks are left in place, not quarantined; with the codec back they load")
    func missingCodecLeavesCheckpoints() async throws {
        let fs = FaultInjectingFileSystem(seed: 24)
        let (older, newest, expected) = try await twoCheckpoints(fs)  // run-length coded
        var withoutCodec = RecoveringDatabase.recoveryOptions(fs)
        withoutCodec.codecs = [NoneCheckpointCodec()]
        let plan = try RecoveryEngine(options: withoutCodec).plan()
        #expect(plan.badCheckpoints.map(\.path) == [newest.path, older.path])
        #expect(plan.badCheckpoints.allSatisfy { $0.reason.contains("not readable by this build, would be left in place") })

        let state = try RecoveryEngine(options: withoutCodec).recover()
        #expect(state.report.unreadableCheckpoints == [newest.path, older.path])
        #expect(state.report.quarantined.isEmpty)
        #expect(fs.fileExists(newest.path) && fs.fileExists(older.path))
        #expect(state.report.steps.contains { $0.contains("is not readable by this build") })
        try await state.wal?.close()

        let restored = try RecoveringDatabase(fileSystem: fs)
        #expect(restored.report.checkpoint?.lsn == newest.lsn)
        #expect(try restored.contents() == expected)
        try await restored.close()
    }

    @Test("one failed read of the newest checkpoint is read again: it is loaded")
    func transientCheckpointReadError() async throws {
        let fs = FaultInjectingFileSystem(seed: 22)
        let (_, newest, expected) = try await twoCheckpoints(fs)
        fs.inject(FaultRule([.read], .eio, trigger: .nth(1), pathContains: newest.path))

        let reopened = try RecoveringDatabase(fileSystem: fs)
        #expect(reopened.report.checkpoint?.lsn == newest.lsn)
        #expect(reopened.report.unreadableCheckpoints.isEmpty)
        #expect(reopened.report.steps.contains { $0.contains("reading it again") })
        #expect(try reopened.contents() == expected)
    }

    @Test("every checkpoint corrupt and the log already trimmed: safe mode with a clear reason, nothing presented as whole")
    func noUsableCheckpoint() async throws {
        let fs = FaultInjectingFileSystem(seed: 3)
        let db = try RecoveringDatabase(fileSystem: fs, segmentSize: 16 << 10)
        for index in 0..<300 { try await commit(db.manager!, [(bytes("k\(index)"), [UInt8](repeating: 7, count: 64))]) }
        _ = try await db.checkpointer!.checkpoint()
        for index in 300..<400 { try await commit(db.manager!, [(bytes("k\(index)"), [UInt8](repeating: 7, count: 64))]) }
        _ = try await db.checkpointer!.checkpoint()
        try await db.close()
        for file in try CheckpointDirectory(path: RecoveringDatabase.dataDirectory.checkpoints, fileSystem: fs).list() {
            try fs.corrupt(path: file.path, offset: 70, xor: 0x01)
        }
        let reopened = try RecoveringDatabase(fileSystem: fs, segmentSize: 16 << 10)
        guard case .safe(let reason) = reopened.report.mode else {
            Issue.record("expected safe mode, got \(reopened.report.mode)")
            return
        }
        #expect(reason.contains("no checkpoint verified"))
        #expect(reopened.manager == nil, "no writes in safe mode")
        #expect(reopened.report.quarantined.count == 2)
    }

    @Test("a clean shutdown followed by a damaged log tail is corruption (safe mode), not a torn write to cut")
    func cleanShutdownThenTornTail() async throws {
        let fs = FaultInjectingFileSystem(seed: 4)
        let db = try RecoveringDatabase(fileSystem: fs)
        for index in 0..<5 { try await commit(db.manager!, [(bytes("k\(index)"), bytes("v"))]) }
        let segment = try #require(db.state.wal?.segmentPaths.last)
        try await db.close()
        let bytesOnDisk = try fs.readFile(segment)
        let last = try #require(bytesOnDisk.lastIndex { $0 != 0 })
        try fs.corrupt(path: segment, offset: Int64(last), xor: 0xFF)
        let reopened = try RecoveringDatabase(fileSystem: fs)
        #expect(reopened.report.mode.isSafe)
        #expect(reopened.report.walRepairs.isEmpty)
        #expect(try fs.readFile(segment) != bytesOnDisk, "nothing was cut")
        // The same damage after a crash (no marker) is a torn tail: cut and the database opens.
        try fs.removeItem(RecoveringDatabase.dataDirectory.cleanShutdownMarker)
        let afterCrash = try RecoveringDatabase(fileSystem: fs)
        #expect(afterCrash.report.mode == .normal)
        #expect(afterCrash.report.walRepairs.count == 1)
        #expect(try afterCrash.contents().count == 4)
    }

    @Test("a missing log segment needed for replay: safe mode naming it")
    func missingSegment() async throws {
        let fs = FaultInjectingFileSystem(seed: 5)
        let db = try RecoveringDatabase(fileSystem: fs, segmentSize: 16 << 10)
        for index in 0..<300 { try await commit(db.manager!, [(bytes("k\(index)"), [UInt8](repeating: 1, count: 64))]) }
        let segments = try #require(db.state.wal?.segmentPaths)
        try await db.close()
        #expect(segments.count > 3)
        try fs.removeItem(segments[0])
        let reopened = try RecoveringDatabase(fileSystem: fs, segmentSize: 16 << 10)
        guard case .safe(let reason) = reopened.report.mode else {
            Issue.record("expected safe mode, got \(reopened.report.mode)")
            return
        }
        #expect(reason.contains("LSN"))
    }

    @Test("corrupt synced log record in the middle: safe mode serving the state before the damage")
    func corruptionInTheMiddle() async throws {
        let fs = FaultInjectingFileSystem(seed: 6)
        let db = try RecoveringDatabase(fileSystem: fs, segmentSize: 16 << 10)
        for index in 0..<300 { try await commit(db.manager!, [(bytes("k\(String(index + 1000))"), [UInt8](repeating: 1, count: 64))]) }
        let segments = try #require(db.state.wal?.segmentPaths)
        try await db.close()
        try fs.corrupt(path: segments[1], offset: 700, xor: 0x10)
        let reopened = try RecoveringDatabase(fileSystem: fs, segmentSize: 16 << 10)
        #expect(reopened.report.mode.isSafe)
        let contents = try reopened.contents()
        #expect(!contents.isEmpty && contents.count < 300, "the prefix before the damage, read-only")
    }

    @Test("replay reports progress and replays in LSN order, dropping incomplete transactions")
    func progressAndIncomplete() async throws {
        let fs = FaultInjectingFileSystem(seed: 7)
        let db = try RecoveringDatabase(fileSystem: fs, segmentSize: 1 << 20)
        for batch in 0..<40 {
            try await db.state.wal!.append((0..<1000).map { offset in
                let index = batch * 1000 + offset
                return WALRecord(kind: .commit, transactionID: TransactionID(UInt64(index + 1)), payload: TransactionRecord.encode([(bytes("k\(index % 1000)"), bytes("\(index)"))]))
            })
        }
        try await db.state.wal!.append([WALRecord(kind: .writeBatch, transactionID: TransactionID(999_999), payload: TransactionRecord.encode([(bytes("orphan"), bytes("x"))]))])
        await db.crash(.dropUnsynced)
        let events = Shared<[RecoveryProgress]>([])
        var walOptions = SegmentedWALOptions()
        walOptions.segmentSize = 1 << 20
        walOptions.syncAlignment = 512
        var options = RecoveryOptions(dataDirectory: RecoveringDatabase.dataDirectory, fileSystem: fs, checksum: CRC32Checksum(),
                                      checksums: [CRC32Checksum()], codecs: [NoneCheckpointCodec()], wal: walOptions)
        options.progress = { event in events.update { $0.append(event) } }
        let state = try RecoveryEngine(options: options).recover()
        #expect(state.report.replay.committedTransactions == 40_000)
        #expect(state.report.replay.incompleteTransactions == [TransactionID(999_999)])
        #expect(try state.store.get(bytes("k999"), at: UInt64.max >> 1) == bytes("39999"), "later commits win: LSN order")
        #expect(try state.store.get(bytes("orphan"), at: UInt64.max >> 1) == nil)
        let recorded = events.value
        #expect(recorded.allSatisfy { $0.phase == "replay" && $0.percent <= 100 })
        #expect(state.report.steps.contains { $0.contains("dropped 1 transaction") })
    }
}

final class Shared<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLockLike()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.locked { stored } }
    func update(_ body: (inout Value) -> Void) { lock.locked { body(&stored) } }
}

import Synchronization
final class NSLockLike: Sendable {
    private let mutex = Mutex(())
    func locked<T>(_ body: () throws -> T) rethrows -> T { try mutex.withLock { _ in try body() } }
}

@Suite("Recovery after a failed log sync") struct RecoveryAfterSyncFailureTests {
    @Test("the plan names the sync-failure marker and counts no record after the durable LSN; recovery cuts them and says so")
    func planAndRecoverAfterSyncFailure() async throws {
        let fs = FaultInjectingFileSystem(seed: 43)
        let db = try RecoveringDatabase(fileSystem: fs)
        for index in 0..<5 { try await commit(db.manager!, [(bytes("k\(index)"), bytes("v\(index)"))]) }
        let expected = try db.contents()
        fs.inject(FaultRule([.sync], .eio, trigger: .nth(1), pathContains: ".log"))
        await #expect(throws: MantisError.self) { try await commit(db.manager!, [(bytes("lost"), bytes("x"))]) }
        await db.crash(.processCrash)  // the kernel still shows the record whose sync failed
        fs.removeAllFaults()

        let plan = try RecoveryEngine(options: RecoveringDatabase.recoveryOptions(fs)).plan()
        #expect(plan.walMarkers.count == 1)
        #expect(plan.walMarkers.first?.contains("the next open cuts the 1 record(s) after it") == true, "\(plan.walMarkers)")
        #expect(plan.committedTransactions == 5, "the commit whose sync failed is not counted as replayed")
        #expect(plan.replayThrough == LSN(5))
        #expect(plan.safeModeReason == nil)

        let reopened = try RecoveringDatabase(fileSystem: fs)
        #expect(try reopened.contents() == expected)
        #expect(reopened.report.steps.contains { $0.contains("cut 1 log record(s) after the last durable one a failed sync recorded") }, "\(reopened.report.steps)")
        #expect(reopened.report.mode == .normal)
    }

    @Test("damage past a sync-failure marker's durable point does not make the plan predict safe mode: the open cuts it first")
    func damagePastTheDurablePoint() async throws {
        let fs = FaultInjectingFileSystem(seed: 47)
        let db = try RecoveringDatabase(fileSystem: fs)
        for index in 0..<5 { try await commit(db.manager!, [(bytes("k\(index)"), bytes("v\(index)"))]) }
        await db.crash(.processCrash)
        let wal = RecoveringDatabase.dataDirectory.wal
        let segment = try #require(try fs.contentsOfDirectory(wal).first { $0.hasSuffix(".log") })
        // Each synced commit starts a new 512-byte sector after the header's: record 3 starts at
        // 1536. The marker says the log was durable through LSN 2; record 3 is then damaged, with
        // valid records after it (corruption, were it not cut).
        let body = "mantisdb wal sync failure\nsegment \(segment)\nlength 1536\nlsn 2\n"
        let crc = Array(body.utf8).withUnsafeBytes { CRC32Checksum().checksum($0) }
        try fs.writeFileAtomically(wal + "/sync-failed", contents: Array((body + "crc32 \(crc)\n").utf8))
        try fs.corrupt(path: wal + "/" + segment, offset: 1536 + 40, xor: 0xFF)

        let report = try WALVerifier.verify(directory: wal, fileSystem: fs, checksums: [CRC32Checksum()])
        #expect(report.hasCorruption, "the damage is there on disk")
        #expect(report.exitCode == 1, "but the open cuts it: \(report.findings)")
        let plan = try RecoveryEngine(options: RecoveringDatabase.recoveryOptions(fs)).plan()
        #expect(plan.safeModeReason == nil, "\(plan.safeModeReason ?? "")")
        #expect(plan.walFindings.isEmpty)
        #expect(plan.committedTransactions == 2)
        let reopened = try RecoveringDatabase(fileSystem: fs)
        #expect(reopened.report.mode == .normal)
        #expect(try reopened.contents() == [bytes("k0"): bytes("v0"), bytes("k1"): bytes("v1")])
    }
}
