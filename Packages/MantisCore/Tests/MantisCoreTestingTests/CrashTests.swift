import MantisCore
import MantisCoreTesting
import Testing

@Suite struct CrashTests {
    @Test func dropUnsyncedLosesEveryUnsyncedWrite() throws {
        let fs = FaultInjectingFileSystem(seed: 1)
        try fs.createDirectory("/db")
        try makeDurableFile(fs, "/db/a", bytes(0xAA, 1000))
        let file = try fs.openFile("/db/a", options: .readWrite)
        try file.write(bytes(0xBB, 500), at: 1000)
        try file.write(bytes(0xCC, 100), at: 0)
        #expect(try fs.readFile("/db/a") == bytes(0xCC, 100) + bytes(0xAA, 900) + bytes(0xBB, 500))
        #expect(fs.durableContents(of: "/db/a") == bytes(0xAA, 1000))

        let report = fs.crash(.dropUnsynced)
        #expect(try fs.readFile("/db/a") == bytes(0xAA, 1000))
        #expect(report.filesAffected == ["/db/a"])
        #expect(report.bytesDropped == 600)
        #expect(report.files.map(\.unsyncedChanges) == [2])
        #expect(report.files.map(\.changesApplied) == [0])
        #expect(report.generation == 1)
    }

    @Test func syncedDataSurvivesEveryMode() throws {
        for mode in CrashMode.allCases {
            let fs = FaultInjectingFileSystem(seed: 2)
            try fs.createDirectory("/db")
            try makeDurableFile(fs, "/db/a", bytes(0x11, 4096))
            let file = try fs.openFile("/db/a", options: .readWrite)
            try file.write(bytes(0x22, 2000), at: 4096)
            try file.syncData()
            let report = fs.crash(mode)
            #expect(try fs.readFile("/db/a") == bytes(0x11, 4096) + bytes(0x22, 2000), "\(mode)")
            #expect(report.filesAffected.isEmpty, "\(mode)")
            #expect(report.bytesDropped == 0, "\(mode)")
        }
    }

    @Test func processCrashKeepsUnsyncedWritesAndNamespace() throws {
        let fs = FaultInjectingFileSystem(seed: 3)
        try fs.createDirectory("/db")
        let file = try fs.openFile("/db/new", options: .createNew)
        try file.write(bytes(7, 300), at: 0)
        let report = fs.crash(.processCrash)
        #expect(report.bytesDropped == 0)
        #expect(report.entriesReverted == 0)
        #expect(try fs.readFile("/db/new") == bytes(7, 300))
        // What survived a process crash is the new durable state.
        #expect(fs.durableContents(of: "/db/new") == bytes(7, 300))
        fs.crash(.dropUnsynced)
        #expect(try fs.readFile("/db/new") == bytes(7, 300))
    }

    @Test("a process crash keeps what a failed sync dropped readable, but never durable (fsyncgate)")
    func processCrashAfterFailedSync() throws {
        let fs = FaultInjectingFileSystem(seed: 4)
        try fs.createDirectory("/db")
        try makeDurableFile(fs, "/db/a", bytes(0x11, 100))
        let file = try fs.openFile("/db/a", options: .readWrite)
        try file.write(bytes(0x22, 50), at: 100)
        fs.inject(FaultRule([.sync], .eio, trigger: .nth(1)))
        #expect(throws: MantisError.self) { try file.syncData() }
        fs.removeAllFaults()
        try file.write(bytes(0x33, 10), at: 150)  // unsynced, but not dropped
        _ = fs.crash(.processCrash)
        #expect(try fs.readFile("/db/a") == bytes(0x11, 100) + bytes(0x22, 50) + bytes(0x33, 10))
        let again = try fs.openFile("/db/a", options: .readWrite)
        try again.syncData()  // succeeds, and still cannot make the dropped bytes durable
        try again.close()
        _ = fs.crash(.dropUnsynced)
        #expect(try fs.readFile("/db/a") == bytes(0x11, 100) + bytes(0, 50) + bytes(0x33, 10))
    }

    @Test func handlesFromBeforeACrashThrowClosed() throws {
        let fs = FaultInjectingFileSystem(seed: 4)
        try fs.createDirectory("/db")
        try makeDurableFile(fs, "/db/a", [1, 2, 3])
        let file = try fs.openFile("/db/a", options: .readWrite)
        #expect(fs.generation == 0)
        fs.crash(.processCrash)
        #expect(fs.generation == 1)
        #expect(mantisError { _ = try file.read(count: 1, at: 0) }?.code == .closed)
        #expect(mantisError { try file.write([9], at: 0) }?.code == .closed)
        #expect(mantisError { _ = try file.size() }?.code == .closed)
        #expect(mantisError { try file.truncate(to: 0) }?.code == .closed)
        #expect(mantisError { try file.preallocate(10) }?.code == .closed)
        #expect(mantisError { try file.sync() }?.code == .closed)
        #expect(mantisError { try file.syncData() }?.code == .closed)
        #expect(mantisError { try file.close() }?.code == .closed)
        let reopened = try fs.openFile("/db/a", options: .readOnly)
        #expect(try reopened.readAll() == [1, 2, 3])
    }

    @Test func openButRemovedFileKeepsWorkingUntilClosed() throws {
        let fs = FaultInjectingFileSystem(seed: 5)
        try fs.createDirectory("/db")
        let file = try fs.openFile("/db/a", options: .createNew)
        try file.write([1, 2], at: 0)
        try fs.removeItem("/db/a")
        #expect(!fs.fileExists("/db/a"))
        try file.write([3], at: 2)
        #expect(try file.readAll() == [1, 2, 3])
        try file.close()
    }
}

@Suite struct ConcurrencyTests {
    @Test func concurrentWritersOnOneFileSystem() async throws {
        let fs = FaultInjectingFileSystem(seed: 1)
        try fs.createDirectory("/db")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    let file = try fs.openFile("/db/file-\(writer)", options: .createNew)
                    for index in 0..<200 { try file.append([UInt8(truncatingIfNeeded: index)]) }
                    try file.sync()
                    try file.close()
                }
            }
            try await group.waitForAll()
        }
        try fs.syncDirectory("/db")
        fs.crash(.dropUnsynced)
        for writer in 0..<8 {
            #expect(try fs.readFile("/db/file-\(writer)") == (0..<200).map { UInt8($0) })
        }
        #expect(fs.operationCount(.write) == 1600)
    }
}
