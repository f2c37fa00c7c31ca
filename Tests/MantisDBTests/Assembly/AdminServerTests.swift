import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import MantisCore
import MantisDB
import ServiceLifecycle
import Testing

@Suite("Admin HTTP API") struct AdminServerTests {
    func request(_ method: String, _ url: String, token: String? = nil, body: String? = nil) async throws -> (Int, String) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body { request.httpBody = Data(body.utf8) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    @Test("health, status, checkpoint and backup over HTTP; the bearer token guards everything but health")
    func endpoints() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var dbOptions = DatabaseOptions(directory: dir + "/data")
        dbOptions.scrub = nil
        let database = try await Database.open(dbOptions)
        try await database.put(Array("k".utf8), Array("v".utf8))
        var options = AdminServerOptions()
        options.port = 0
        options.bearerToken = "s3cret"
        let admin = AdminServer(
            database: database, options: options, healthChecks: DatabaseHealthChecks.all(for: database),
            metrics: { "# TYPE mantisdb_test gauge\nmantisdb_test 1\n" },
            backup: { destination in String(decoding: try await Backup.create(from: database, to: destination).encoded(), as: UTF8.self) },
            logger: Logger(label: "test"))
        let app = admin.application()
        let running = Task { try await app.run() }
        let port = await admin.boundPort()
        let base = "http://127.0.0.1:\(port)"

        let (liveStatus, live) = try await request("GET", base + "/health/live")
        #expect(liveStatus == 200 && live.contains("healthy"))
        let (readyStatus, ready) = try await request("GET", base + "/health/ready")
        #expect(readyStatus == 200 && ready.contains("\"wal\""))
        let (denied, _) = try await request("GET", base + "/status")
        #expect(denied == 401)
        let (wrongToken, _) = try await request("GET", base + "/status", token: "s3cre")
        #expect(wrongToken == 401)
        var lowerCase = URLRequest(url: URL(string: base + "/status")!)
        lowerCase.setValue("bearer s3cret", forHTTPHeaderField: "Authorization")
        let (_, lowerResponse) = try await URLSession.shared.data(for: lowerCase)
        #expect((lowerResponse as? HTTPURLResponse)?.statusCode == 200, "the scheme is case-insensitive (RFC 7235)")
        let (statusCode, status) = try await request("GET", base + "/status", token: "s3cret")
        #expect(statusCode == 200 && status.contains("\"mode\" : \"normal\"") && status.contains("lastLSN"))
        let (metricsCode, metrics) = try await request("GET", base + "/metrics", token: "s3cret")
        #expect(metricsCode == 200 && metrics.contains("mantisdb_test 1"))
        let (checkpointCode, checkpoint) = try await request("POST", base + "/admin/checkpoint", token: "s3cret")
        #expect(checkpointCode == 200 && checkpoint.contains("\"lsn\""))
        let (badBackup, _) = try await request("POST", base + "/admin/backup", token: "s3cret", body: "{}")
        #expect(badBackup == 400)
        let (backupCode, backup) = try await request("POST", base + "/admin/backup", token: "s3cret", body: "{\"to\": \"\(dir)/backup\"}")
        #expect(backupCode == 200 && backup.contains("manifest"))
        #expect(FileManager.default.fileExists(atPath: dir + "/backup/backup.manifest.json"))

        running.cancel()
        _ = await running.result
        try await database.close()
    }
    @Test("with metrics off, /metrics is a 404 that says so, not an empty page a scraper takes for healthy")
    func metricsOff() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var dbOptions = DatabaseOptions(directory: dir + "/data")
        dbOptions.scrub = nil
        let database = try await Database.open(dbOptions)
        var options = AdminServerOptions()
        options.port = 0
        let admin = AdminServer(database: database, options: options, healthChecks: [], metrics: { nil }, backup: nil,
                                logger: Logger(label: "test"))
        let app = admin.application()
        let running = Task { try await app.run() }
        let port = await admin.boundPort()
        let (code, body) = try await request("GET", "http://127.0.0.1:\(port)/metrics")
        #expect(code == 404 && body.contains("metrics.exporter: none"))
        running.cancel()
        _ = await running.result
        try await database.close()
    }
}
