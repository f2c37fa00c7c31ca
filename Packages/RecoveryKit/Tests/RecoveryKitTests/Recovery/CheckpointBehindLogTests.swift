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

        let reopened = try RecoveringDatabase(fileSystem: fs)
        guard case .safe(let reason) = reopened.report.mode else {
            Issue.record("expected safe mode, got \(reopened.report.mode)")
            return
        }
        #expect(reason.contains("ends at LSN \(lastLSN)"), "\(reason)")
        #expect(reason.contains("LSN \(lastLSN.rawValue + 100)"), "\(reason)")
        #expect(try reopened.contents()[bytes("z")] == bytes("only in the checkpoint"))
    }
}
