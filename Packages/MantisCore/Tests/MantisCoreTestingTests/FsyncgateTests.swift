import MantisCore
import MantisCoreTesting
import Testing

/// A failed fsync loses the dirty data for durability: a later successful fsync does not bring
/// it back. This is what lets tests prove the database never retries a failed fsync.
@Suite struct FsyncgateTests {
    @Test func aSyncAfterAFailedSyncDoesNotMakeTheDataDurable() throws {
        let fs = FaultInjectingFileSystem(seed: 1)
        try fs.createDirectory("/db")
        try makeDurableFile(fs, "/db/wal", bytes(0xAA, 1024))
        let file = try fs.openFile("/db/wal", options: .readWrite)
        try file.write(bytes(0xBB, 512), at: 512)
        try file.append(bytes(0xCC, 512))
        fs.inject(FaultRule([.sync], trigger: .nth(1)))

        let error = mantisError { try file.syncData() }
        #expect(error?.code == .syncFailed)
        #expect(error?.context.operation == "fdatasync")
        #expect(fs.injectedFaults.first?.contains("2 unsynced change(s) lost") == true)
        // The page cache still shows the data…
        let cached = bytes(0xAA, 512) + bytes(0xBB, 512) + bytes(0xCC, 512)
        #expect(try file.readAll() == cached)
        // …a retried sync "succeeds"…
        try file.syncData()
        #expect(try file.readAll() == cached)
        // …but nothing of it is durable.
        #expect(fs.durableContents(of: "/db/wal") == bytes(0xAA, 1024))
        fs.crash(.dropUnsynced)
        #expect(try fs.readFile("/db/wal") == bytes(0xAA, 1024))
    }

    @Test func lostWritesNeverReappearInAnyCrashMode() throws {
        for mode: CrashMode in [.dropUnsynced, .tornPrefix, .garbleUnsynced] {
            for seed in UInt64(0)..<10 {
                let fs = FaultInjectingFileSystem(seed: seed)
                try fs.createDirectory("/db")
                try makeDurableFile(fs, "/db/wal", bytes(0xAA, 2048))
                let file = try fs.openFile("/db/wal", options: .readWrite)
                try file.write(bytes(0xBB, 2048), at: 0)
                fs.inject(FaultRule([.sync], trigger: .nth(1)))
                _ = mantisError { try file.sync() }
                let report = fs.crash(mode)
                #expect(try fs.readFile("/db/wal") == bytes(0xAA, 2048), "\(mode) seed \(seed)")
                #expect(report.sectorsGarbled == 0)
                #expect(report.bytesDropped == 2048)
            }
        }
    }

    @Test func writesAfterTheFailedSyncBecomeDurableAgain() throws {
        let fs = FaultInjectingFileSystem(seed: 2)
        try fs.createDirectory("/db")
        try makeDurableFile(fs, "/db/wal", [])
        let file = try fs.openFile("/db/wal", options: .readWrite)
        try file.write([1, 1], at: 0)
        fs.inject(FaultRule([.sync], .enospc, trigger: .nth(1)))
        #expect(mantisError { try file.sync() }?.code == .diskFull)
        try file.write([2, 2], at: 2)
        try file.sync()
        #expect(fs.durableContents(of: "/db/wal") == [0, 0, 2, 2])
        fs.crash(.dropUnsynced)
        #expect(try fs.readFile("/db/wal") == [0, 0, 2, 2])
    }

    @Test func aFailedDirectorySyncMakesNothingDurable() throws {
        let fs = FaultInjectingFileSystem(seed: 3)
        try fs.createDirectory("/db")
        try makeDurableFile(fs, "/db/a", [1])
        fs.inject(FaultRule([.directorySync], trigger: .nth(1)))
        #expect(mantisError { try makeDurableFile(fs, "/db/b", [2]) }?.code == .syncFailed)
        #expect(try fs.contentsOfDirectory("/db") == ["a", "b"])
        fs.crash(.dropUnsynced)
        #expect(try fs.contentsOfDirectory("/db") == ["a"])
    }
}
