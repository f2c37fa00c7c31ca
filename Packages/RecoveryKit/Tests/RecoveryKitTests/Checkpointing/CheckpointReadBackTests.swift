import IntegrityKit
import MantisCore
import MantisCoreTesting
import RecoveryKit
import Testing
import TxnKit

/// A codec that writes what it cannot read back: it drops each block's last byte.
struct TruncatingCodec: CheckpointCodec {
    var name: String { "truncating-test" }
    var identifier: UInt8 { 201 }

    func compress(_ input: UnsafeRawBufferPointer) throws -> [UInt8] { Array(input.dropLast()) }

    func decompress(_ input: UnsafeRawBufferPointer, originalSize: Int) throws -> [UInt8] {
        guard input.count == originalSize else {
            throw MantisError(.codecError, "truncating-test: \(input.count) bytes stored for a block of \(originalSize)")
        }
        return Array(input)
    }
}

@Suite("A fallback before the log goes: read-back with keep 1, no trim at the first checkpoint") struct CheckpointReadBackTests {
    static func keepOne() -> CheckpointOptions {
        var options = CheckpointOptions()
        options.keep = 1
        options.removalPacing = nil
        return options
    }

    @Test("a new checkpoint that does not read back is quarantined and fails; the previous checkpoint and the log stay, and recovery uses them")
    func damagedCheckpointKeepsFallback() async throws {
        let fs = FaultInjectingFileSystem(seed: 53)
        let db = try RecoveringDatabase(fileSystem: fs, checkpoints: Self.keepOne())
        for index in 0..<120 { try await commit(db.manager!, [(bytes("k\(index % 40)"), bytes("first \(index)"))]) }
        let good = try await db.checkpointer!.checkpoint()
        for index in 0..<120 { try await commit(db.manager!, [(bytes("k\(index % 60)"), bytes("second \(index)"))]) }
        let expected = try db.contents()
        let segments = try fs.contentsOfDirectory(RecoveringDatabase.dataDirectory.wal).filter { $0.hasSuffix(".log") }

        let lossy = Checkpointer(
            manager: db.manager!, wal: db.state.wal!,
            directory: CheckpointDirectory(path: RecoveringDatabase.dataDirectory.checkpoints, fileSystem: fs),
            codec: TruncatingCodec(), checksum: CRC32Checksum(), options: Self.keepOne())
        await #expect { try await lossy.checkpoint() } throws: { error in
            let error = error as? MantisError
            return error?.code == .corruption && error?.message.contains("does not read back whole (quarantined as") == true
        }
        let listed = try CheckpointDirectory(path: RecoveringDatabase.dataDirectory.checkpoints, fileSystem: fs).list()
        #expect(listed.map(\.lsn) == [good.lsn], "the previous checkpoint is kept, the bad one is gone from the catalog")
        let quarantined = try fs.contentsOfDirectory(RecoveringDatabase.dataDirectory.quarantine)
        #expect(quarantined.contains { $0.hasSuffix(".reason.json") })
        let reason = try #require(quarantined.first { $0.hasSuffix(".reason.json") })
        #expect(String(decoding: try fs.readFile(RecoveringDatabase.dataDirectory.quarantine + "/" + reason), as: UTF8.self).contains("checkpoint read-back"))
        #expect(try fs.contentsOfDirectory(RecoveringDatabase.dataDirectory.wal).filter { $0.hasSuffix(".log") } == segments,
                "no log segment was removed")

        await db.crash(.dropUnsynced)
        let reopened = try RecoveringDatabase(fileSystem: fs)
        #expect(reopened.report.mode == .normal)
        #expect(reopened.report.checkpoint?.lsn == good.lsn)
        #expect(try reopened.contents() == expected)
    }

    @Test("at an unchanged LSN (same file name) a checkpoint that does not read back replaces nothing")
    func sameLSN() async throws {
        let fs = FaultInjectingFileSystem(seed: 61)
        let db = try RecoveringDatabase(fileSystem: fs, checkpoints: Self.keepOne())
        for index in 0..<240 { try await commit(db.manager!, [(bytes("k\(index % 40)"), bytes("value number \(index)"))]) }
        let good = try await db.checkpointer!.checkpoint()
        let expected = try db.contents()
        // No commit in between (an on-close checkpoint, CHECKPOINT, a backup's checkpoint).
        let lossy = Checkpointer(
            manager: db.manager!, wal: db.state.wal!,
            directory: CheckpointDirectory(path: RecoveringDatabase.dataDirectory.checkpoints, fileSystem: fs),
            codec: TruncatingCodec(), checksum: CRC32Checksum(), options: Self.keepOne())
        await #expect(throws: MantisError.self) { try await lossy.checkpoint() }
        let listed = try CheckpointDirectory(path: RecoveringDatabase.dataDirectory.checkpoints, fileSystem: fs).list()
        #expect(listed.map(\.lsn) == [good.lsn], "the previous checkpoint of the same name must still be there")
        #expect(try CheckpointReader.open(path: good.path, fileSystem: fs, codecs: [RunLengthCodec()], checksums: [CRC32Checksum()]).verify().lsn == good.lsn)

        await db.crash(.dropUnsynced)
        let reopened = try RecoveringDatabase(fileSystem: fs)
        #expect(reopened.report.mode == .normal)
        #expect(try reopened.contents() == expected)
    }

    @Test("one failed read of the new checkpoint is read again: the checkpoint counts and the previous one goes")
    func transientReadError() async throws {
        let fs = FaultInjectingFileSystem(seed: 59)
        let db = try RecoveringDatabase(fileSystem: fs, checkpoints: Self.keepOne())
        for index in 0..<50 { try await commit(db.manager!, [(bytes("k\(index)"), bytes("v\(index)"))]) }
        _ = try await db.checkpointer!.checkpoint()
        for index in 50..<80 { try await commit(db.manager!, [(bytes("k\(index)"), bytes("v\(index)"))]) }
        fs.inject(FaultRule([.read], .eio, trigger: .nth(1), pathContains: "/checkpoints/"))
        let second = try await db.checkpointer!.checkpoint()
        #expect(fs.injectedFaults.count == 1, "the read-back met the injected error")
        let listed = try CheckpointDirectory(path: RecoveringDatabase.dataDirectory.checkpoints, fileSystem: fs).list()
        #expect(listed.map(\.lsn) == [second.lsn])
        let quarantine = RecoveringDatabase.dataDirectory.quarantine
        #expect(try (fs.fileExists(quarantine) ? fs.contentsOfDirectory(quarantine) : []).isEmpty, "nothing quarantined")
    }

    @Test("with keep 2 the first checkpoint lets no log go (nothing could stand in for it); the second trims below the first")
    func firstCheckpointKeepsTheLog() async throws {
        let fs = FaultInjectingFileSystem(seed: 71)
        let db = try RecoveringDatabase(fileSystem: fs)  // keep 2, the default
        func segments() throws -> Int { try fs.contentsOfDirectory(RecoveringDatabase.dataDirectory.wal).filter { $0.hasSuffix(".log") }.count }
        for index in 0..<200 { try await commit(db.manager!, [(bytes("k\(index % 50)"), bytes("value \(index)"))]) }
        let before = try segments()
        try #require(before > 2)
        let first = try await db.checkpointer!.checkpoint()
        #expect(try segments() == before, "the first checkpoint is the only one: the log below it stays")
        #expect(db.checkpointer!.status.segmentsRemoved == 0)
        for index in 200..<300 { try await commit(db.manager!, [(bytes("k\(index % 50)"), bytes("value \(index)"))]) }
        _ = try await db.checkpointer!.checkpoint()
        #expect(db.checkpointer!.status.segmentsRemoved > 0, "with two kept, the log below the older one goes")
        let firstLSN = db.state.wal!.status.firstLSN
        #expect(firstLSN <= first.lsn.next, "replay from the older checkpoint still finds its log (log starts at \(firstLSN))")
        #expect(firstLSN > LSN(1), "segments below the older checkpoint went")
    }
}
