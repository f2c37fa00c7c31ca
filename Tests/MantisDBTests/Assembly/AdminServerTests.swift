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

    /// A database in a fresh temporary directory (`dir/data`) and an admin server for it on an
    /// ephemeral port: `body` gets the base URL, the database and `dir`; both are stopped after.
    func withAdmin(
        token: String? = nil, healthChecks all: Bool = true, metrics: @escaping AdminServer.MetricsProvider = { "" }, backup: Bool = true,
        _ body: (_ base: String, _ database: Database, _ dir: String) async throws -> Void
    ) async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var dbOptions = DatabaseOptions(directory: dir + "/data")
        dbOptions.scrub = nil
        let database = try await Database.open(dbOptions)
        var options = AdminServerOptions()
        options.port = 0
        options.bearerToken = token
        var backupHandler: AdminServer.BackupHandler?
        if backup {
            backupHandler = { destination in String(decoding: try await Backup.create(from: database, to: destination).encoded(), as: UTF8.self) }
        }
        let checks = all ? DatabaseHealthChecks.all(for: database) : []
        let admin = AdminServer(database: database, options: options, healthChecks: checks, metrics: metrics, backup: backupHandler,
                                logger: Logger(label: "test"))
        let app = admin.application()
        let running = Task { try await app.run() }
        let port = await admin.boundPort()
        do {
            try await body("http://127.0.0.1:\(port)", database, dir)
        } catch {
            running.cancel()
            _ = await running.result
            try? await database.close()
            throw error
        }
        running.cancel()
        _ = await running.result
        try await database.close()
    }

    @Test("health, status, checkpoint and backup over HTTP; the bearer token guards everything but health")
    func endpoints() async throws {
        try await withAdmin(token: "s3cret", metrics: { "# TYPE mantisdb_test gauge\nmantisdb_test 1\n" }) { base, database, dir in
            try await database.put(Array("k".utf8), Array("v".utf8))
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
            let (relative, relativeBody) = try await request("POST", base + "/admin/backup", token: "s3cret", body: "{\"to\": \"backup\"}")
            #expect(relative == 400 && relativeBody.contains("absolute path"))
            let (inside, _) = try await request("POST", base + "/admin/backup", token: "s3cret", body: "{\"to\": \"\(dir)/data/inside\"}")
            #expect(inside == 400)
            let (missingParent, _) = try await request("POST", base + "/admin/backup", token: "s3cret", body: "{\"to\": \"/proc/no-such/x\"}")
            #expect(missingParent == 400, "a destination the server cannot create is the request's fault, not a server error")
            let (backupCode, backup) = try await request("POST", base + "/admin/backup", token: "s3cret", body: "{\"to\": \"\(dir)/backup\"}")
            #expect(backupCode == 200 && backup.contains("manifest"))
            #expect(FileManager.default.fileExists(atPath: dir + "/backup/backup.manifest.json"))
        }
    }

    @Test("with metrics off, /metrics is a 404 that says so, not an empty page a scraper takes for healthy")
    func metricsOff() async throws {
        try await withAdmin(healthChecks: false, metrics: { nil }, backup: false) { base, _, _ in
            let (code, body) = try await request("GET", base + "/metrics")
            #expect(code == 404 && body.contains("metrics.exporter: none"))
        }
    }

    /// Sends the request as `mantisdb backup --admin` does; the status and body, or the transport error.
    func send(_ call: OnlineBackupRequest) async -> Result<(Int, Data), any Error> {
        var request = URLRequest(url: call.url)
        request.httpMethod = "POST"
        for (name, value) in call.headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = call.body
        do {
            let (data, response) = try await URLSession.shared.data(for: request)
            return .success(((response as? HTTPURLResponse)?.statusCode ?? 0, data))
        } catch { return .failure(error) }
    }
    func failure(_ call: OnlineBackupRequest) async -> MantisError? {
        switch await send(call) {
        case .success(let (status, body)):
            do { _ = try call.result(status: status, body: body); return nil } catch { return error as? MantisError }
        case .failure(let error): return call.unreachable(error)
        }
    }

    @Test("backup --admin failures are explained: a wrong or missing token names HTTP 401 and --token, an unreachable server says so, a server error keeps its code")
    func onlineBackupFailures() async throws {
        var stoppedBase = ""
        try await withAdmin(token: "s3cret") { base, _, dir in
            stoppedBase = base
            let noToken = try #require(await failure(try OnlineBackupRequest(admin: base, to: dir + "/b1", token: nil)))
            #expect(noToken.code == .permissionDenied)
            #expect(noToken.message.contains("HTTP 401") && noToken.message.contains("pass it with --token"), "\(noToken)")
            let wrongToken = try #require(await failure(try OnlineBackupRequest(admin: base, to: dir + "/b2", token: "nope")))
            #expect(wrongToken.message.contains("HTTP 401") && wrongToken.message.contains("--token is not the server's admin.token"), "\(wrongToken)")
            // The server's own refusal (a used destination) keeps its code and message.
            try FileManager.default.createDirectory(atPath: dir + "/used", withIntermediateDirectories: true)
            try Data("x".utf8).write(to: URL(fileURLWithPath: dir + "/used/file"))
            let used = try #require(await failure(try OnlineBackupRequest(admin: base + "/", to: dir + "/used", token: "s3cret")))
            #expect(used.code == .alreadyExists && used.message.contains("HTTP 409") && used.message.contains("not an empty directory"), "\(used)")
            // Success: the manifest.
            let good = try OnlineBackupRequest(admin: base, to: dir + "/b3", token: "s3cret")
            guard case .success(let (status, body)) = await send(good) else { Issue.record("the backup request failed"); return }
            #expect(try good.result(status: status, body: body).contains("manifest"))
        }
        // Nothing listens any more: the port refuses connections.
        let refused = try #require(await failure(try OnlineBackupRequest(admin: stoppedBase, to: "/tmp/b4", token: nil)))
        #expect(refused.message.hasPrefix("cannot reach the admin server at \(stoppedBase)/admin/backup: connection refused; is the server running"), "\(refused)")
        #expect(throws: MantisError.self) { try OnlineBackupRequest(admin: "127.0.0.1:7380", to: "/b", token: nil) }
    }
}
