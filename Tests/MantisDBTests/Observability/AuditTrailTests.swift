import Foundation
import Logging
import MantisCore
import MantisCoreTesting
import MantisDB
import ObservabilityKit
import Synchronization
import Testing

@Suite("Observability: the audit trail of a database") struct AuditTrailTests {
    func entries(_ fs: any FileSystem, _ directory: String) throws -> [AuditEntry] {
        let text = String(decoding: try fs.readFile(directory + "/audit/audit.log"), as: UTF8.self)
        return text.split(separator: "\n").compactMap { AuditEntry.decode($0) }
    }

    @Test("open, recovery, checkpoint, WAL cleanup, backup, restore and close are recorded, and the trail verifies")
    func lifecycle() async throws {
        let fs = FaultInjectingFileSystem(seed: 41)
        var options = observedOptions("/db", fileSystem: fs, sinks: [])
        options.checkpoints.keep = 1
        let db = try await Database.open(options)
        for index in 0..<24 { try await db.put(utf8("key \(index)"), Array(repeating: UInt8(index), count: 64 << 10)) }
        _ = try await db.checkpoint()
        let manifest = try await Backup.create(from: db, to: "/backup", actor: "cli")
        await db.recordAudit("admin_command", actor: "resp:127.0.0.1:50000", details: ["command": "WALSYNC"])
        try await db.close()
        _ = try Restore.restore(from: "/backup", to: "/restored", force: false, fileSystem: fs)

        let actions = try entries(fs, "/db").map { "\($0.event.action):\($0.event.outcome.rawValue)" }
        #expect(actions.first == "recovery:success" && actions.dropFirst().first == "open:success", "\(actions)")
        for wanted in ["checkpoint:success", "wal_cleanup:success", "backup:success", "admin_command:success"] {
            #expect(actions.contains(wanted), "\(wanted) missing from \(actions)")
        }
        #expect(actions.last == "close:success", "\(actions)")
        let backup = try #require(try entries(fs, "/db").first { $0.event.action == "backup" })
        #expect(backup.event.actor == "cli" && backup.event.details["last_lsn"] == String(manifest.lastLSN))
        let cleanup = try #require(try entries(fs, "/db").first { $0.event.action == "wal_cleanup" })
        #expect(Int(cleanup.event.details["segments_removed"] ?? "") ?? 0 >= 1)
        #expect(AuditTool.verify(path: "/db", fileSystem: fs).exitCode == 0)

        let restored = try entries(fs, "/restored")
        #expect(restored.map(\.event.action) == ["restore"] && restored[0].event.details["from"] == "/backup")
        // The restored database's own open continues its trail.
        let reopened = try await Database.open(observedOptions("/restored", fileSystem: fs, sinks: []))
        try await reopened.close()
        #expect(try entries(fs, "/restored").map(\.event.action) == ["restore", "recovery", "open", "close"])
        #expect(AuditTool.verify(path: "/restored/audit", fileSystem: fs).exitCode == 0)
    }

    @Test("`audit verify` exits 2 and names the edited, removed or reordered entry")
    func verifyCommand() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var options = DatabaseOptions(directory: directory)
        options.wal.segmentSize = 1 << 20
        options.wal.prepareSegmentsAhead = false
        options.diskReserve = nil
        options.scrub = nil
        for _ in 0..<3 {
            let db = try await Database.open(options)
            try await db.put(utf8("k"), utf8("v"))
            try await db.close()
        }
        let log = directory + "/audit/audit.log"
        let intact = AuditTool.verify(path: directory)
        #expect(intact.exitCode == 0 && intact.text.contains("audit trail intact: entries 1…9"), "\(intact.text)")
        #expect(AuditTool.verify(path: log).exitCode == 0, "the file itself can be named")
        let original = try String(contentsOfFile: log, encoding: .utf8)
        var lines = original.split(separator: "\n").map(String.init)

        lines[4] = lines[4].replacingOccurrences(of: "\"actor\":\"system\"", with: "\"actor\":\"mallory\"")
        try (lines.joined(separator: "\n") + "\n").write(toFile: log, atomically: true, encoding: .utf8)
        let edited = AuditTool.verify(path: directory)
        #expect(edited.exitCode == 2 && edited.text.contains("entry 5 (line 5)") && edited.text.contains("was edited"), "\(edited.text)")

        lines = original.split(separator: "\n").map(String.init)
        lines.remove(at: 2)
        try (lines.joined(separator: "\n") + "\n").write(toFile: log, atomically: true, encoding: .utf8)
        let removed = AuditTool.verify(path: directory)
        #expect(removed.exitCode == 2 && removed.text.contains("entry 3 was removed"), "\(removed.text)")

        lines = original.split(separator: "\n").map(String.init)
        lines.swapAt(6, 7)
        try (lines.joined(separator: "\n") + "\n").write(toFile: log, atomically: true, encoding: .utf8)
        let reordered = AuditTool.verify(path: directory)
        #expect(reordered.exitCode == 2 && reordered.text.contains("reordered") && reordered.text.contains("entry 7"), "\(reordered.text)")

        #expect(AuditTool.verify(path: directory + "/nowhere").exitCode == 1)
    }

    @Test("a configuration load is recorded with its hash and the keys changed since the last one")
    func configuration() async throws {
        let fs = FaultInjectingFileSystem(seed: 42)
        let db = try await Database.open(observedOptions("/db", fileSystem: fs, sinks: []))
        var configuration = MantisConfiguration()
        configuration.admin.token = "secret-token"
        await ConfigurationAudit.record(LoadedConfiguration(configuration: configuration), file: "/etc/mantisdb.yaml", in: db)
        configuration.wal.durability = .async
        configuration.alerts.rateLimit = .seconds(5)
        await ConfigurationAudit.record(LoadedConfiguration(configuration: configuration), file: "/etc/mantisdb.yaml", in: db)
        try await db.close()
        let loads = try entries(fs, "/db").filter { $0.event.action == "config_loaded" }
        #expect(loads.count == 2)
        #expect(loads[0].event.details["previous_config_sha256"] == nil)
        #expect(loads[1].event.details["changed_keys"] == "wal.durability,alerts.rate_limit")
        #expect(loads[1].event.details["config_sha256"] != loads[0].event.details["config_sha256"])
        #expect(loads[0].event.details["config.admin.token"] == "<redacted>", "secrets never reach the trail")
        #expect(!String(decoding: try fs.readFile("/db/audit/audit.log"), as: UTF8.self).contains("secret-token"))
    }

    @Test("a failure to record raises audit_failed; the operation goes on")
    func failure() async throws {
        let fs = FaultInjectingFileSystem(seed: 43)
        let sink = RecordingSink()
        let db = try await Database.open(observedOptions("/db", fileSystem: fs, sinks: [sink]))
        fs.inject(FaultRule([.sync], .eio, trigger: .nth(1), pathContains: "audit.log"))
        await db.recordAudit("admin_command", actor: "admin-http", details: ["command": "POST /admin/checkpoint"])
        try await db.put(utf8("k"), utf8("still works"))
        await db.observability.alertsDelivered()
        #expect(sink.names.contains("audit_failed"))
        let health = await HealthReport.evaluate(DatabaseHealthChecks.all(for: db))
        #expect(health.checks.first { $0.name == "monitoring" }?.status == .degraded)
        try await db.close()
    }
}

/// Keeps the names of the alerts it receives.
final class RecordingSink: AlertSink, Sendable {
    private let received = Mutex<[Alert]>([])
    var name: String { "recording" }
    func send(_ alert: Alert) async { received.withLock { $0.append(alert) } }
    var names: [String] { received.withLock { $0.map(\.name) } }
}
