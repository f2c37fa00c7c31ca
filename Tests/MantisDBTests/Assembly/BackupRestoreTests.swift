import Foundation
import LZ4Codec
import MantisCore
import MantisCoreTesting
import MantisDB
import RecoveryKit
import Testing
import ZlibCodec

@Suite("Backup, restore and codec switches") struct BackupRestoreTests {
    func options(_ dir: String, codec: any CheckpointCodec = NoneCheckpointCodec()) -> DatabaseOptions {
        OfflineDatabase.options(dir, codec: codec)
    }

    func fill(_ db: Database, _ range: Range<Int>) async throws -> [String: String] {
        var model: [String: String] = [:]
        for index in range {
            let key = "key:\(index)", value = "value \(index) " + String(repeating: "z", count: index % 40)
            try await db.put(Array(key.utf8), Array(value.utf8))
            model[key] = value
        }
        return model
    }

    func contents(_ db: Database) throws -> [String: String] {
        var result: [String: String] = [:]
        for pair in try db.scan() { result[String(decoding: pair.key, as: UTF8.self)] = String(decoding: pair.value, as: UTF8.self) }
        return result
    }

    @Test("online backup → restore recovers exactly the backed-up data; writes after the backup are not in it")
    func roundTrip() async throws {
        let base = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let db = try await Database.open(options(base + "/source"))
        var model = try await fill(db, 0..<300)
        try await db.checkpoint()
        model.merge(try await fill(db, 300..<400)) { $1 }
        try await db.delete(Array("key:5".utf8))
        model["key:5"] = nil
        let manifest = try await Backup.create(from: db, to: base + "/backup")
        _ = try await fill(db, 1000..<1010)  // after the backup
        try await db.close()
        #expect(manifest.files.contains { $0.path.hasPrefix("checkpoints/") })
        #expect(manifest.files.contains { $0.path.hasPrefix("wal/") })

        let report = try Restore.restore(from: base + "/backup", to: base + "/restored", force: false)
        #expect(report.filesCopied == manifest.files.count)
        let restored = try await Database.open(options(base + "/restored"))
        #expect(try contents(restored) == model)
        #expect(restored.wal.status.lastLSN.rawValue == manifest.lastLSN)
        try await restored.close()
    }

    @Test("a backup into the live data directory, or into a directory holding it, is refused and writes nothing")
    func destinationOverlapsData() async throws {
        let base = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let db = try await Database.open(options(base + "/source"))
        _ = try await fill(db, 0..<10)
        for destination in [base + "/source/inside", base + "/source/./wal/../b", base + "/source", base] {
            do {
                _ = try await Backup.create(from: db, to: destination)
                Issue.record("a backup to \(destination) must be refused")
            } catch let error as MantisError {
                #expect(error.code == .invalidArgument && error.message.contains("data directory"), "\(error)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: base + "/source/inside"))
        #expect(!FileManager.default.fileExists(atPath: base + "/source/b"))
        _ = try await Backup.create(from: db, to: base + "/elsewhere")  // beside it is fine
        try await db.close()
    }

    @Test("the active segment is copied up to its last synced round, not its preallocated space; the restored log takes appends past that end and reopens")
    func activeSegmentPrefix() async throws {
        let base = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let db = try await Database.open(options(base + "/source"))
        var model = try await fill(db, 0..<50)  // one synced 4 KiB page each: about 200 KiB
        let manifest = try await Backup.create(from: db, to: base + "/backup")
        try await db.close()
        let fs = PosixFileSystem()
        let active = try #require(manifest.files.filter { $0.path.hasPrefix("wal/") }.last)
        #expect(try fs.fileSize(base + "/source/" + active.path) == 1 << 20, "the source's active segment should be preallocated")
        #expect(active.bytes < 1 << 19, "the backup copied \(active.bytes) bytes of the 1 MiB active segment (50 records)")

        _ = try Restore.restore(from: base + "/backup", to: base + "/restored", force: false)
        var restored = try await Database.open(options(base + "/restored"))
        #expect(try contents(restored) == model)
        #expect(restored.wal.status.lastLSN.rawValue == manifest.lastLSN)
        model.merge(try await fill(restored, 500..<700)) { $1 }
        try await restored.close()
        #expect(try fs.fileSize(base + "/restored/" + active.path) > active.bytes, "appends after the restore should extend the short segment")
        restored = try await Database.open(options(base + "/restored"))
        #expect(try contents(restored) == model)
        try await restored.close()
    }

    @Test("a damaged backup is refused before anything is written; a non-empty target needs --force", arguments: ["checkpoint", "wal", "manifest", "missing"])
    func damagedBackup(damage: String) async throws {
        let base = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let db = try await Database.open(options(base + "/source"))
        _ = try await fill(db, 0..<50)
        let manifest = try await Backup.create(from: db, to: base + "/backup")
        try await db.close()
        let fs = PosixFileSystem()
        let checkpoint = try #require(manifest.files.first { $0.path.hasPrefix("checkpoints/") })
        let segment = try #require(manifest.files.first { $0.path.hasPrefix("wal/") })
        switch damage {
        case "checkpoint":
            var bytes = try fs.readFile(base + "/backup/" + checkpoint.path)
            bytes[80] ^= 0x04
            try fs.writeFileAtomically(base + "/backup/" + checkpoint.path, contents: bytes)
        case "wal":
            var bytes = try fs.readFile(base + "/backup/" + segment.path)
            bytes[4096 + 40] ^= 0x01
            try fs.writeFileAtomically(base + "/backup/" + segment.path, contents: bytes)
        case "manifest":
            try fs.writeFileAtomically(base + "/backup/" + BackupManifest.fileName, contents: Array("{ not json".utf8))
        default:
            try fs.removeItem(base + "/backup/" + segment.path)
        }
        #expect {
            _ = try Restore.restore(from: base + "/backup", to: base + "/restored", force: false)
        } throws: { error in
            let code = (error as? MantisError)?.code
            return code == .corruption || code == .notFound
        }
        #expect(!fs.fileExists(base + "/restored/wal"), "nothing written to the target")
        // A non-empty target is refused without --force.
        try fs.createDirectory(base + "/occupied")
        try fs.writeFileAtomically(base + "/occupied/something", contents: [1])
        let intact = try await Database.open(options(base + "/second"))
        _ = try await fill(intact, 0..<5)
        _ = try await Backup.create(from: intact, to: base + "/backup2")
        try await intact.close()
        #expect(throws: MantisError.self) { _ = try Restore.restore(from: base + "/backup2", to: base + "/occupied", force: false) }
        _ = try Restore.restore(from: base + "/backup2", to: base + "/occupied", force: true)
    }

    @Test("a manifest whose LSNs do not match the backup's checkpoint and log is refused, naming the manifest, the field and both values; nothing is written",
          arguments: ["lastLSN", "checkpointLSN"])
    func manifestLSNsMismatch(field: String) async throws {
        let base = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let db = try await Database.open(options(base + "/source"))
        _ = try await fill(db, 0..<20)
        let original = try await Backup.create(from: db, to: base + "/backup")  // a fresh checkpoint: both LSNs 20
        try await db.close()
        var edited = original
        let (stated, actual): (UInt64, UInt64)
        if field == "lastLSN" {
            edited.lastLSN += 5
            (stated, actual) = (edited.lastLSN, original.lastLSN)
        } else {
            edited.checkpointLSN -= 2
            (stated, actual) = (edited.checkpointLSN, original.checkpointLSN)
        }
        let manifestPath = base + "/backup/" + BackupManifest.fileName
        try PosixFileSystem().writeFileAtomically(manifestPath, contents: try edited.encoded())
        #expect {
            _ = try Restore.restore(from: base + "/backup", to: base + "/restored", force: false)
        } throws: { error in
            guard let error = error as? MantisError else { return false }
            return error.code == .corruption && error.context.file == manifestPath
                && error.message.contains("its \(field) is \(stated) but") && error.message.contains("LSN \(actual)")
        }
        #expect(!PosixFileSystem().fileExists(base + "/restored"), "nothing written to the target")
        // The unedited manifest restores.
        try PosixFileSystem().writeFileAtomically(manifestPath, contents: try original.encoded())
        #expect(try Restore.restore(from: base + "/backup", to: base + "/restored", force: false).manifest == original)
    }

    @Test("a restore into a directory a database holds open is refused, and the database's files are untouched")
    func restoreIntoOpenDirectory() async throws {
        let base = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let source = try await Database.open(options(base + "/source"))
        _ = try await fill(source, 0..<20)
        _ = try await Backup.create(from: source, to: base + "/backup")
        try await source.close()
        let live = try await Database.open(options(base + "/live"))
        let model = try await fill(live, 100..<130)
        let before = try PosixFileSystem().contentsOfDirectory(base + "/live/wal").sorted()
        #expect {
            _ = try Restore.restore(from: base + "/backup", to: base + "/live", force: true)
        } throws: { error in
            (error as? MantisError)?.code == .alreadyExists && "\(error)".contains("the data directory is in use")
        }
        #expect(try PosixFileSystem().contentsOfDirectory(base + "/live/wal").sorted() == before)
        #expect(!PosixFileSystem().fileExists(base + "/live/" + Restore.markerName))
        try await live.put(Array("after".utf8), Array("refusal".utf8))
        try await live.close()
        let reopened = try await Database.open(options(base + "/live"))
        #expect(try contents(reopened) == model.merging(["after": "refusal"]) { $1 })
        try await reopened.close()
    }

    @Test("a restore cut short leaves its marker: the directory is refused at open until a restore completes")
    func interruptedRestore() async throws {
        let fs = FaultInjectingFileSystem(seed: 41)
        var sourceOptions = options("/source")
        sourceOptions.fileSystem = fs
        let source = try await Database.open(sourceOptions)
        let model = try await fill(source, 0..<60)
        let manifest = try await Backup.create(from: source, to: "/backup")
        try await source.close()
        #expect(manifest.files.count >= 2)
        // The copy of the log fails after the checkpoint was copied.
        fs.inject(FaultRule([.write], .eio, trigger: .fromNth(1), pathContains: "/restored/wal/"))
        #expect(throws: MantisError.self) { _ = try Restore.restore(from: "/backup", to: "/restored", force: false, fileSystem: fs) }
        fs.removeAllFaults()
        _ = fs.crash(.dropUnsynced)  // and the machine stopped
        #expect(fs.fileExists("/restored/" + Restore.markerName))
        var restoredOptions = options("/restored")
        restoredOptions.fileSystem = fs
        await #expect {
            _ = try await Database.open(restoredOptions)
        } throws: { error in
            let error = error as? MantisError
            return error?.context.file == "/restored/" + Restore.markerName && error?.message.contains("did not finish") == true
        }
        // Without --force the partial target is refused; with it the restore completes.
        #expect(throws: MantisError.self) { _ = try Restore.restore(from: "/backup", to: "/restored", force: false, fileSystem: fs) }
        _ = try Restore.restore(from: "/backup", to: "/restored", force: true, fileSystem: fs)
        #expect(!fs.fileExists("/restored/" + Restore.markerName))
        let restored = try await Database.open(restoredOptions)
        #expect(try contents(restored) == model)
        try await restored.close()
    }

    @Test("checkpoints written with lz4 open after switching to zlib, and the reverse", arguments: [("lz4", "zlib"), ("zlib", "lz4"), ("lz4", "none")])
    func codecSwitch(from: String, to: String) async throws {
        func codec(_ name: String) throws -> any CheckpointCodec {
            switch name {
            case "lz4": try LZ4CheckpointCodec()
            case "zlib": try ZlibCheckpointCodec(level: 1)
            default: NoneCheckpointCodec()
            }
        }
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try await Database.open(options(dir, codec: try codec(from)))
        let model = try await fill(db, 0..<200)
        let info = try await db.checkpoint()
        #expect(info.codecName == from)
        try await db.close()
        // Remove the log the checkpoint covers, so reopening must read the checkpoint.
        let reopened = try await Database.open(options(dir, codec: try codec(to)))
        #expect(reopened.recovery?.checkpoint?.codecName == from)
        #expect(try contents(reopened) == model)
        let second = try await reopened.checkpoint()
        #expect(second.codecName == to)
        try await reopened.close()
        let again = try await Database.open(options(dir, codec: try codec(from)))
        #expect(again.recovery?.checkpoint?.codecName == to)
        #expect(try contents(again) == model)
        try await again.close()
    }
}
