import MantisCore
import MantisCoreTesting
import RecoveryKit
import Testing
import TxnKit
import WALKit

/// A checkpoint must never cover commits the log has not made durable: otherwise, after a crash
/// the log would hand the checkpoint's LSNs out again and replay would skip the new commits.
@Suite("Checkpoints stay behind the durable log") struct CheckpointBehindLogTests {
    @Test("async durability: a checkpoint, a power loss before any flush, recovery; later commits get fresh LSNs and survive the next crash")
    func asyncCheckpointThenPowerLoss() async throws {
        let fs = FaultInjectingFileSystem(seed: 11)
        let lazy = Durability.async(flushInterval: .seconds(3600))
        let first = try RecoveringDatabase(fileSystem: fs, durability: lazy)
        for index in 0..<50 { try await commit(first.manager!, [(bytes("a\(index)"), bytes("v\(index)"))]) }
        let info = try await first.checkpointer!.checkpoint()
        #expect(first.state.wal!.status.durableLSN >= info.lsn, "checkpoint at LSN \(info.lsn) ahead of the durable log")
        await first.crash(.dropUnsynced)

        let second = try RecoveringDatabase(fileSystem: fs, durability: lazy)
        #expect(second.report.mode == .normal, "steps: \(second.report.steps)")
        #expect(second.manager!.visibleSnapshot >= info.lsn.rawValue)
        var contents = try second.contents()
        #expect(contents.count == 50)
        for index in 0..<10 { try await commit(second.manager!, [(bytes("b\(index)"), bytes("w\(index)"))]) }
        try await second.state.wal!.sync()
        await second.crash(.dropUnsynced)

        let third = try RecoveringDatabase(fileSystem: fs, durability: lazy)
        #expect(third.report.mode == .normal, "steps: \(third.report.steps)")
        contents = try third.contents()
        for index in 0..<10 {
            #expect(contents[bytes("b\(index)")] == bytes("w\(index)"), "synced commit b\(index) lost after the second crash")
        }
        #expect(contents.count == 60)
    }

    @Test("a log that ends before the newest checkpoint's LSN: safe mode naming both, the checkpoint's data still readable")
    func logEndsBeforeCheckpoint() async throws {
        let fs = FaultInjectingFileSystem(seed: 12)
        let db = try RecoveringDatabase(fileSystem: fs)
        for index in 0..<5 { try await commit(db.manager!, [(bytes("k\(index)"), bytes("v"))]) }
        let lastLSN = db.state.wal!.status.lastLSN
        try await db.close()
        try writeCheckpoint([(bytes("k0"), bytes("v")), (bytes("z"), bytes("only in the checkpoint"))],
                            directory: RecoveringDatabase.dataDirectory.checkpoints, lsn: LSN(lastLSN.rawValue + 100),
                            codec: NoneCheckpointCodec(), fileSystem: fs)
        try fs.removeItem(RecoveringDatabase.dataDirectory.cleanShutdownMarker)

        let plan = try RecoveryEngine(options: RecoveringDatabase.recoveryOptions(fs)).plan()
        let reopened = try RecoveringDatabase(fileSystem: fs)
        guard case .safe(let reason) = reopened.report.mode else {
            Issue.record("expected safe mode, got \(reopened.report.mode)")
            return
        }
        #expect(plan.safeModeReason == reason, "the dry run predicted \(plan.safeModeReason ?? "a normal open")")
        #expect(reason.contains("ends at LSN \(lastLSN)"), "\(reason)")
        #expect(reason.contains("LSN \(lastLSN.rawValue + 100)"), "\(reason)")
        #expect(try reopened.contents()[bytes("z")] == bytes("only in the checkpoint"))
    }

    @Test("a torn tail after a crash that takes the record the newest checkpoint covers: the plan predicts the open's safe mode, in its words")
    func tornTailBelowCheckpoint() async throws {
        let fs = FaultInjectingFileSystem(seed: 13)
        let db = try RecoveringDatabase(fileSystem: fs)
        for index in 0..<5 { try await commit(db.manager!, [(bytes("k\(index)"), bytes("v\(index)"))]) }
        let info = try await db.checkpointer!.checkpoint()
        try await db.close()
        #expect(info.lsn == db.state.wal!.status.lastLSN)
        try fs.removeItem(RecoveringDatabase.dataDirectory.cleanShutdownMarker)  // as after a crash
        let wal = RecoveringDatabase.dataDirectory.wal
        let segment = wal + "/" + (try #require(try fs.contentsOfDirectory(wal).filter { $0.hasSuffix(".log") }.max()))
        let lastByte = try #require(try fs.readFile(segment).lastIndex { $0 != 0 })
        try fs.corrupt(path: segment, offset: Int64(lastByte) - 3, xor: 0xFF)  // inside the last record: a torn tail

        let plan = try RecoveryEngine(options: RecoveringDatabase.recoveryOptions(fs)).plan()
        #expect(plan.walFindings.count == 1 && !plan.walFindings[0].isCorruption, "\(plan.walFindings)")
        let reopened = try RecoveringDatabase(fileSystem: fs)
        guard case .safe(let reason) = reopened.report.mode else {
            Issue.record("expected safe mode, got \(reopened.report.mode)")
            return
        }
        #expect(reason.contains("ends at LSN \(info.lsn.previous)") && reason.contains("covers up to LSN \(info.lsn)"), "\(reason)")
        #expect(plan.safeModeReason == reason, "the dry run predicted \(plan.safeModeReason ?? "a normal open")")
    }
}
