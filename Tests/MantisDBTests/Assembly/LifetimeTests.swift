import Foundation
import IntegrityKit
import Logging
import MantisCore
@testable import MantisDB
import ObservabilityKit
import Testing

/// A program that embeds MantisDB may open and close databases and servers many times: once
/// closed and dropped, each must be freed with all it holds (its store's data above all), not
/// kept alive by a reference cycle or a background task.
@Suite("Lifetimes") struct LifetimeTests {
    func options(_ directory: String) -> DatabaseOptions {
        var options = DatabaseOptions(directory: directory)
        options.wal.segmentSize = 4 << 20
        options.wal.prepareSegmentsAhead = false
        return options
    }

    /// True once `condition()` holds, polling for up to `seconds`.
    func eventually(within seconds: Double = 5, _ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    /// True once `object()` is nil (background tasks that hold a reference for one tick may take
    /// a moment to let go).
    func released(_ object: () -> AnyObject?) async throws -> Bool {
        try await eventually { object() == nil }
    }

    @Test("a closed database is freed once dropped: default components (checkpointer, scrubber, disk guard, monitoring), with a memory guard, with async durability and an RPO",
          arguments: ["default", "memory limits", "async with an RPO"])
    func closedDatabaseIsFreed(configuration: String) async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var databaseOptions = options(directory)
        switch configuration {
        case "memory limits": databaseOptions.memoryLimits = MemoryGuard.Options(softLimit: 16 << 10, hardLimit: 1 << 30, sampleInterval: .zero)
        case "async with an RPO":
            databaseOptions.wal.durability = .async(flushInterval: .milliseconds(20))
            databaseOptions.rpo = .milliseconds(200)
        default: break
        }
        weak var weakDatabase: Database?
        do {
            let database = try await Database.open(databaseOptions)
            weakDatabase = database
            // 100 KiB: past the memory guard's soft limit, so its relief runs.
            for index in 0..<100 { try await database.put(Array("key\(index)".utf8), [UInt8](repeating: 7, count: 1024)) }
            if configuration == "memory limits" {
                #expect(try await eventually { (database.memoryGuard?.report.reliefRuns ?? 0) > 0 }, "the memory guard's relief never ran")
            }
            try await database.close()
        }
        #expect(try await released({ weakDatabase }), "the closed database is still alive")
    }

    @Test("a server that served writes, then shut down, and its closed database are freed once dropped")
    func shutDownServerIsFreed() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        weak var weakDatabase: Database?
        weak var weakServer: RESPServer?
        weak var weakContext: RESPServerContext?
        do {
            let database = try await Database.open(options(directory))
            var serverOptions = RESPServerOptions()
            serverOptions.port = 0
            let server = RESPServer(database: database, options: serverOptions,
                                    logger: Logger(label: "lifetime", factory: { _ in SwiftLogNoOpLogHandler() }))
            weakDatabase = database
            weakServer = server
            weakContext = server.context
            try await server.start()
            let client = try await RESPTestClient.connect(port: server.boundPort)
            // Writes go through the loop's commit coalescer; reads and a transaction too.
            for index in 0..<20 { #expect(try await client.callText("SET", "key\(index)", "value") == "OK") }
            #expect(try await client.callText("GET", "key3") == "value")
            await client.close()
            await server.shutdown()
            try await database.close()
        }
        #expect(try await released({ weakServer }), "the shut-down server is still alive")
        #expect(try await released({ weakContext }), "the shut-down server's shared context is still alive")
        #expect(try await released({ weakDatabase }), "the closed database is still alive")
    }

    @Test("a database dropped without close() is still freed, and says so in its log")
    func droppedWithoutClose() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let lines = MemoryLogOutput()
        var databaseOptions = options(directory)
        databaseOptions.logger = Logger(label: "lifetime") { TextLogHandler(label: $0, level: .info, output: lines) }
        weak var weakDatabase: Database?
        do {
            let database = try await Database.open(databaseOptions)
            weakDatabase = database
            try await database.put(Array("k".utf8), Array("v".utf8))
        }
        #expect(try await released({ weakDatabase }), "a database dropped without close() is still alive")
        let warnings = lines.lines.filter { $0.contains("released without close()") }
        #expect(warnings.count == 1, "\(lines.lines.suffix(5))")
        #expect(warnings.first?.contains("data_dir=\(directory)") == true)
    }

    @Test("an open data directory is locked: a second open is refused with an error naming the lock file, and close releases it")
    func dataDirectoryLock() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try await Database.open(options(directory))
        try await first.put(Array("k".utf8), Array("v".utf8))
        do {
            let second = try await Database.open(options(directory))
            try? await second.close()
            Issue.record("a second open of a directory in use succeeded")
        } catch let error as MantisError {
            #expect(error.code == .alreadyExists)
            #expect(error.context.file == directory + "/LOCK", "\(error)")
            #expect("\(error)".contains("in use"), "\(error)")
        }
        #expect(try first.get(Array("k".utf8)) == Array("v".utf8), "the refused open disturbed the open database")
        try await first.close()
        let again = try await Database.open(options(directory))
        #expect(try again.get(Array("k".utf8)) == Array("v".utf8))
        try await again.close()
    }
}
