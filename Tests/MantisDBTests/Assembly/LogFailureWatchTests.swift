import MantisCore
import MantisCoreTesting
import MantisDB
import Synchronization
import Testing

/// `Database.logFailure`, what `wal.on_failure: exit` waits on.
@Suite("Log failure watch") struct LogFailureWatchTests {
    func open(_ fs: FaultInjectingFileSystem) async throws -> Database {
        var options = DatabaseOptions(directory: "/db")
        options.fileSystem = fs
        options.wal.segmentSize = 1 << 20
        options.wal.prepareSegmentsAhead = false
        options.diskReserve = nil
        options.scrub = nil
        options.checkpoints.interval = nil
        options.checkpoints.walBytes = nil
        return try await Database.open(options)
    }

    @Test("a healthy log: the watch waits, and ends when cancelled")
    func waitsWhileHealthy() async throws {
        let database = try await open(FaultInjectingFileSystem(seed: 5))
        let watch = Task { try await database.logFailure(checkingEvery: .milliseconds(10)) }
        try await database.put(Array("k".utf8), Array("v".utf8))
        try await Task.sleep(for: .milliseconds(200))
        watch.cancel()
        let result = await watch.result
        #expect(throws: CancellationError.self) { try result.get() }
        try await database.close()
    }

    @Test("a database opened in safe mode is not a failed log: the watch waits (no exit-and-restart loop)")
    func safeModeAtOpenIsNotAFailure() async throws {
        let fs = FaultInjectingFileSystem(seed: 7)
        let first = try await open(fs)
        for index in 0..<20 { try await first.put(Array("k\(index)".utf8), Array("v\(index)".utf8)) }
        try await first.close()
        // Damage an early record, followed by synced ones: corruption, which recovery must not
        // paper over.
        let segment = try #require(try fs.contentsOfDirectory("/db/wal").filter { $0.hasSuffix(".log") }.sorted().first)
        try fs.corrupt(path: "/db/wal/" + segment, offset: 4096 + 40, xor: 0x01)
        let database = try await open(fs)
        #expect(database.modeAtOpen.isSafe, "the damaged log should open in safe mode")
        #expect(database.wal.status.failure != nil)  // the safe-mode log reports why it refuses
        let watch = Task { try await database.logFailure(checkingEvery: .milliseconds(10)) }
        try await Task.sleep(for: .milliseconds(200))
        watch.cancel()
        let result = await watch.result
        #expect(throws: CancellationError.self) { try result.get() }
        try? await database.close()
    }

    @Test("an fdatasync failure at runtime: the watch returns the failure")
    func returnsTheFailure() async throws {
        let fs = FaultInjectingFileSystem(seed: 6)
        let database = try await open(fs)
        let watch = Task { try await database.logFailure(checkingEvery: .milliseconds(10)) }
        try await database.put(Array("before".utf8), Array("ok".utf8))
        fs.inject(FaultRule([.sync], .eio, trigger: .fromNth(1), pathContains: "/wal/"))
        await #expect(throws: MantisError.self) { try await database.put(Array("during".utf8), Array("x".utf8)) }
        let failure = try await watch.value
        #expect(failure.contains("the write-ahead log failed"), "\(failure)")
        // At once when the log has already failed.
        #expect(try await database.logFailure(checkingEvery: .seconds(60)) == failure)
        try? await database.close()
    }
}
