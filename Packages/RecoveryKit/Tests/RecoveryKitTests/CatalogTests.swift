import Foundation
import MantisCore
import MantisCoreTesting
import RecoveryKit
import Testing

@Suite("Checkpoint directory") struct CatalogTests {
    static let directory = "/db/checkpoints"

    /// Durable checkpoints at `lsns` (and, if asked, a durable temporary file and a stranger).
    static func populate(_ fs: FaultInjectingFileSystem, lsns: [UInt64], extras: Bool = true) throws {
        for lsn in lsns { try writeCheckpoint(makeEntries(count: 5, seed: lsn), lsn: LSN(lsn), fileSystem: fs) }
        guard extras else { return }
        let temporary = try fs.openFile(Path.join(directory, CheckpointFormat.temporaryFileName(lsn: 999)), options: .createNew)
        try temporary.write(bytes("half a checkpoint"), at: 0)
        try temporary.sync()
        try temporary.close()
        for name in ["notes.txt", "checkpoint-XYZ.ckpt", "checkpoint-00000000000000AB.ckpt", "checkpoint-0001.ckpt"] {
            try fs.writeFileAtomically(Path.join(directory, name), contents: bytes("x"))
        }
        try fs.syncDirectory(directory)
    }

    @Test("list: checkpoint files only, newest LSN first; a missing directory has none")
    func list() throws {
        let fs = FaultInjectingFileSystem(seed: 41)
        let catalog = CheckpointDirectory(path: Self.directory, fileSystem: fs)
        #expect(try catalog.list().isEmpty)
        try Self.populate(fs, lsns: [5, 0x300, 17])
        let listed = try catalog.list()
        #expect(listed.map(\.lsn.rawValue) == [0x300, 17, 5])
        #expect(listed.first?.path == "/db/checkpoints/checkpoint-0000000000000300.ckpt")
        #expect(listed.first?.name == "checkpoint-0000000000000300.ckpt")
        #expect(try catalog.temporaryFiles() == ["/db/checkpoints/checkpoint-00000000000003e7.ckpt.tmp"])
        #expect(catalog.quarantinePath == "/db/quarantine")
    }

    @Test("removeTemporaryFiles removes unfinished checkpoints durably and nothing else")
    func removeTemporaryFiles() throws {
        let fs = FaultInjectingFileSystem(seed: 42)
        try Self.populate(fs, lsns: [5, 6])
        let catalog = CheckpointDirectory(path: Self.directory, fileSystem: fs)
        let before = try fs.contentsOfDirectory(Self.directory)
        #expect(try catalog.removeTemporaryFiles() == ["/db/checkpoints/checkpoint-00000000000003e7.ckpt.tmp"])
        fs.crash(.dropUnsynced)
        let after = try fs.contentsOfDirectory(Self.directory)
        #expect(after == before.filter { !$0.hasSuffix(".tmp") })
        #expect(try catalog.removeTemporaryFiles().isEmpty)
    }

    @Test("retain keeps the newest N, removes the rest durably, refuses N < 1")
    func retain() throws {
        let fs = FaultInjectingFileSystem(seed: 43)
        try Self.populate(fs, lsns: [10, 30, 20, 40], extras: false)
        let catalog = CheckpointDirectory(path: Self.directory, fileSystem: fs)
        #expect(try catalog.retain(newest: 4).isEmpty)
        #expect(try catalog.retain(newest: 2) == [
            "/db/checkpoints/checkpoint-0000000000000014.ckpt", "/db/checkpoints/checkpoint-000000000000000a.ckpt",
        ])
        fs.crash(.dropUnsynced)
        #expect(try catalog.list().map(\.lsn.rawValue) == [40, 30])
        #expect { try catalog.retain(newest: 0) } throws: { ($0 as? MantisError)?.code == .invalidArgument }
        #expect(try catalog.list().count == 2)
    }

    @Test("retain cut short by a crash: the old checkpoints are gone for recovery, and removeTemporaryFiles deletes what is left")
    func retainInterrupted() throws {
        let fs = FaultInjectingFileSystem(seed: 45)
        try Self.populate(fs, lsns: [10, 20, 30], extras: false)
        let catalog = CheckpointDirectory(path: Self.directory, fileSystem: fs)
        // Cut 16 bytes at a time; the second cut fails, so the oldest's deletion stops half done.
        fs.inject(FaultRule([.truncate], .eio, trigger: .nth(2), pathContains: ".removing"))
        #expect(try catalog.retain(newest: 1, pacing: RemovalPacing(chunk: 16, pause: .zero)).count == 2)
        fs.haltAndCrash(.dropUnsynced)
        fs.restart()
        fs.removeAllFaults()
        #expect(try catalog.list().map(\.lsn.rawValue) == [30])
        let leftovers = try catalog.interruptedRemovals()
        #expect(leftovers.contains("/db/checkpoints/checkpoint-000000000000000a.ckpt.removing") ||
                leftovers.contains("/db/checkpoints/checkpoint-0000000000000014.ckpt.removing"))
        #expect(Set(try catalog.removeTemporaryFiles()) == Set(leftovers))
        #expect(try fs.contentsOfDirectory(Self.directory) == ["checkpoint-000000000000001e.ckpt"])
        #expect(try catalog.interruptedRemovals().isEmpty)
    }

    @Test("quarantine moves the file, writes a JSON report, and both survive a power loss")
    func quarantine() throws {
        let fs = FaultInjectingFileSystem(seed: 44)
        try Self.populate(fs, lsns: [7, 8], extras: false)
        let catalog = CheckpointDirectory(path: Self.directory, fileSystem: fs)
        let bad = "/db/checkpoints/checkpoint-0000000000000008.ckpt"
        try fs.corrupt(path: bad, offset: 100, xor: 0x01)
        let original = try fs.readFile(bad)
        let error = try #require(verifyError(bad, fileSystem: fs))
        let moved = try catalog.quarantine(path: bad, reason: QuarantineReason(error: error, detectedBy: "recovery"),
                                           time: 1_764_166_093_123_000_000)
        #expect(moved == "/db/quarantine/checkpoint-0000000000000008.ckpt")
        fs.crash(.dropUnsynced)
        #expect(!fs.fileExists(bad))
        #expect(try fs.readFile(moved) == original)
        #expect(try catalog.list().map(\.lsn.rawValue) == [7])
        #expect(try fs.contentsOfDirectory("/db/quarantine") == ["checkpoint-0000000000000008.ckpt", "checkpoint-0000000000000008.ckpt.reason.json"])

        let json = try fs.readFile(CheckpointDirectory.reportPath(for: moved))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
        #expect(report["what"] as? String == "checkpoint file")
        #expect(report["file"] as? String == bad)
        #expect(report["quarantinedAs"] as? String == moved)
        #expect(report["lsn"] as? Int == 8)
        #expect(report["offset"] as? Int == Int(error.context.offset!))
        #expect(report["code"] as? String == "corruption")
        #expect(report["reason"] as? String == error.message)
        #expect(report["detectedBy"] as? String == "recovery")
        #expect(report["time"] as? String == "2025-11-26T14:08:13.123Z")
        #expect(report["fileBytes"] as? Int == original.count)
    }

    @Test("a second file of the same name gets a numbered name; the report escapes any text")
    func quarantineCollisionsAndEscaping() throws {
        let fs = FaultInjectingFileSystem(seed: 45)
        try Self.populate(fs, lsns: [9], extras: false)
        let catalog = CheckpointDirectory(path: Self.directory, quarantinePath: "/elsewhere/q", fileSystem: fs)
        let path = "/db/checkpoints/checkpoint-0000000000000009.ckpt"
        let first = try catalog.quarantine(path: path, reason: QuarantineReason("first", detectedBy: "test"))
        try Self.populate(fs, lsns: [9], extras: false)
        let tricky = "quote \" backslash \\ newline \n tab \t bell \u{07} nul \u{00} unicode é ✓ 🦗 \u{2028}"
        let second = try catalog.quarantine(path: path, reason: QuarantineReason(tricky, detectedBy: "scrub \"nightly\""))
        #expect(first == "/elsewhere/q/checkpoint-0000000000000009.ckpt")
        #expect(second == "/elsewhere/q/checkpoint-0000000000000009.ckpt.1")
        let json = try fs.readFile(CheckpointDirectory.reportPath(for: second))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
        #expect(report["reason"] as? String == tricky)
        #expect(report["detectedBy"] as? String == "scrub \"nightly\"")
        #expect(report["offset"] is NSNull && report["code"] is NSNull)
        #expect(report["lsn"] as? Int == 9, "the LSN comes from the original name")
        #expect(!String(decoding: json, as: UTF8.self).contains("\u{07}"), "control characters are escaped")
        #expect { try catalog.quarantine(path: path, reason: QuarantineReason("gone", detectedBy: "test")) } throws: {
            ($0 as? MantisError)?.code == .notFound
        }
    }

    @Test("until the quarantine directory is fsynced, a power loss puts the file back where it was")
    func quarantineBeforeDirectorySync() throws {
        for mode in [CrashMode.dropUnsynced, .tornPrefix, .garbleUnsynced] {
            let fs = FaultInjectingFileSystem(seed: 46)
            try Self.populate(fs, lsns: [3], extras: false)
            try fs.createDirectory("/db/quarantine")
            let catalog = CheckpointDirectory(path: Self.directory, fileSystem: fs)
            let path = "/db/checkpoints/checkpoint-0000000000000003.ckpt"
            let original = try fs.readFile(path)
            fs.inject(FaultRule([.directorySync], .eio, trigger: .nth(1), pathContains: "quarantine"))
            #expect(throws: MantisError.self) { try catalog.quarantine(path: path, reason: QuarantineReason("bad", detectedBy: "test")) }
            #expect(!fs.fileExists(path), "\(mode): moved in the namespace")
            fs.crash(mode)
            #expect(try fs.readFile(path) == original, "\(mode): the rename did not survive, the file is back")
            #expect(try fs.contentsOfDirectory("/db/quarantine").isEmpty, "\(mode)")
        }
    }

    @Test("a crash at any point of a quarantine never loses the file; once quarantine returns, all of it is durable",
          arguments: CrashMode.allCases)
    func quarantineCrashAnywhere(mode: CrashMode) throws {
        let path = "/db/checkpoints/checkpoint-0000000000000003.ckpt"
        let target = "/db/quarantine/checkpoint-0000000000000003.ckpt"
        let probeFS = FaultInjectingFileSystem(seed: 47)
        try Self.populate(probeFS, lsns: [3], extras: false)
        let probe = HaltingFileSystem(probeFS)
        try CheckpointDirectory(path: Self.directory, fileSystem: probe).quarantine(path: path, reason: QuarantineReason("bad", detectedBy: "test"))
        let total = probe.count
        for haltAfter in 0...total {
            let seed = 47 &+ UInt64(haltAfter)
            let fs = FaultInjectingFileSystem(seed: seed)
            try Self.populate(fs, lsns: [3], extras: false)
            let original = try fs.readFile(path)
            let catalog = CheckpointDirectory(path: Self.directory, fileSystem: HaltingFileSystem(fs, haltAfter: haltAfter))
            let returned = (try? catalog.quarantine(path: path, reason: QuarantineReason("bad", detectedBy: "test"))) != nil
            fs.crash(mode)
            fs.restart()
            let context = "seed \(seed), \(mode), halted after \(haltAfter) of \(total) calls"
            let inPlace = fs.fileExists(path)
            let inQuarantine = fs.fileExists(target)
            #expect(inPlace || inQuarantine, "\(context): the file is lost")
            if inPlace { #expect(try fs.readFile(path) == original, "\(context)") }
            if inQuarantine { #expect(try fs.readFile(target) == original, "\(context)") }
            if returned {
                #expect(!inPlace && inQuarantine, "\(context): quarantine returned but did not survive")
                let json = try fs.readFile(CheckpointDirectory.reportPath(for: target))
                #expect((try? JSONSerialization.jsonObject(with: Data(json))) != nil, "\(context): report is not JSON")
            }
        }
    }
}
