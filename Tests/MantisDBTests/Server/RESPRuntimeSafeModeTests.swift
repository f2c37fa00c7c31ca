import Logging
import MantisCore
import MantisCoreTesting
import RecoveryKit
@testable import MantisDB
import Testing

/// A write-ahead log that fails at runtime puts the database in safe mode: the commit the
/// failure caught gets `ERR`, every later write `READONLY` with the reason, reads go on, and
/// INFO, the mode and the health checks say so.
@Suite("RESP server: safe mode after a runtime WAL failure") struct RESPRuntimeSafeModeTests {
    @Test("an fdatasync failure: the caught commit fails, later writes are READONLY, reads continue")
    func fsyncFailure() async throws {
        let fs = FaultInjectingFileSystem(seed: 71)
        var options = DatabaseOptions(directory: "/db")
        options.fileSystem = fs
        options.wal.segmentSize = 1 << 20  // in memory: a small segment opens fast
        options.wal.prepareSegmentsAhead = false
        options.diskReserve = nil
        options.scrub = nil
        options.checkpoints.interval = nil
        options.checkpoints.walBytes = nil
        let database = try await Database.open(options)
        var serverOptions = RESPServerOptions()
        serverOptions.port = 0
        let server = RESPServer(database: database, options: serverOptions,
                                logger: Logger(label: "resp-test", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await server.start()
        let client = try await RESPTestClient.connect(port: server.boundPort)

        #expect(try await client.call("SET", "before", "ok") == .ok)
        #expect(database.mode == .normal)
        fs.inject(FaultRule([.sync], .eio, trigger: .fromNth(1), pathContains: "/wal/"))

        // The commit in flight when fdatasync failed: its outcome is not acknowledged.
        let caught = try #require(try await client.call("SET", "during", "x").text)
        #expect(caught.hasPrefix("ERR the write-ahead log failed"), "\(caught)")
        #expect(database.isReadOnly)
        guard case .safe(let reason) = database.mode else {
            Issue.record("the database must be in safe mode after its log failed")
            return
        }
        #expect(reason.contains("write-ahead log failed at runtime"), "\(reason)")

        // Writes after it are refused as read-only, naming the cause; nothing was logged for them.
        for command in [["SET", "after", "y"], ["INCR", "counter"], ["DEL", "before"]] {
            try await client.send(command: command)
            let reply = try #require(try await client.read().text)
            #expect(reply.hasPrefix("READONLY read-only: the write-ahead log failed"), "\(command): \(reply)")
        }
        #expect(try await client.call("GET", "before") == .bulk("ok"))
        #expect(try await client.call("GET", "after") == .null)
        let persistence = try #require(try await client.call("INFO", "persistence").text)
        #expect(persistence.contains("safe_mode:1\r\n"), "\(persistence)")

        let health = await HealthReport.evaluate(DatabaseHealthChecks.all(for: database))
        #expect(health.status == .critical)
        #expect(health.reasons.contains { $0.hasPrefix("mode: critical") }, "\(health.reasons)")
        #expect(health.reasons.contains { $0.hasPrefix("wal: critical") && $0.contains("failed") }, "\(health.reasons)")

        await client.close()
        await server.shutdown()
        try? await database.close()
    }
}
