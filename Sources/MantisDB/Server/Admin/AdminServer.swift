import Foundation
import Hummingbird
import Logging
import MantisCore
import NIOCore
import Synchronization

/// The HTTP admin API (hummingbird), bound to loopback by default:
/// `GET /health/live`, `GET /health/ready`, `GET /metrics`, `GET /status`,
/// `POST /admin/checkpoint`, `POST /admin/backup` (body `{"to": "/path"}`).
/// With a bearer token configured, everything but `/health/*` requires it.
public final class AdminServer: Sendable {
    /// The exposition text; nil when metrics are off (`metrics.exporter: none`): `/metrics` then
    /// answers 404 with the reason, so a scraper does not take an empty page for a healthy target.
    public typealias MetricsProvider = @Sendable () async -> String?
    public typealias BackupHandler = @Sendable (_ destination: String) async throws -> String

    let database: Database
    let options: AdminServerOptions
    let healthChecks: [any HealthCheck]
    let metrics: MetricsProvider
    let backup: BackupHandler?
    let logger: Logger
    let port = Mutex<Int?>(nil)
    let ready = Mutex<[CheckedContinuation<Int, Never>]>([])

    public init(database: Database, options: AdminServerOptions, healthChecks: [any HealthCheck],
                metrics: @escaping MetricsProvider, backup: BackupHandler?, logger: Logger) {
        self.database = database
        self.options = options
        self.healthChecks = healthChecks
        self.metrics = metrics
        self.backup = backup
        self.logger = logger
    }

    /// The port the server listens on, once it does.
    public func boundPort() async -> Int {
        if let port = port.withLock({ $0 }) { return port }
        return await withCheckedContinuation { continuation in
            let known = port.withLock { port -> Int? in
                if port == nil { ready.withLock { $0.append(continuation) } }
                return port
            }
            if let known { continuation.resume(returning: known) }
        }
    }

    /// The hummingbird application (a `Service`: run it in a service group or directly).
    public func application() -> some ApplicationProtocol {
        let router = Router()
        if let token = options.bearerToken { router.add(middleware: BearerTokenMiddleware(token: token)) }
        router.get("/health/live") { _, _ in
            Self.json(["status": "healthy"], status: .ok)
        }
        router.get("/health/ready") { [healthChecks] _, _ in
            let report = await HealthReport.evaluate(healthChecks)
            return Self.json(report, status: report.status == .critical ? .serviceUnavailable : .ok)
        }
        router.get("/metrics") { [metrics] _, _ in
            guard let text = await metrics() else {
                return Self.json(["error": "metrics are off (metrics.exporter: none)"], status: .notFound)
            }
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("/status") { [database] _, _ in
            Self.json(StatusReport(database: database), status: .ok)
        }
        router.post("/admin/checkpoint") { [database, logger] _, _ in
            logger.notice("admin: checkpoint requested")
            do {
                let info = try await database.checkpoint()
                await database.recordAudit("admin_command", actor: "admin-http", details: ["command": "POST /admin/checkpoint", "lsn": "\(info.lsn)", "file": info.path])
                return Self.json(["lsn": "\(info.lsn)", "file": info.path, "keys": "\(info.entryCount)", "bytes": "\(info.fileBytes)"], status: .ok)
            } catch {
                await database.recordAudit("admin_command", outcome: .failure, actor: "admin-http", details: ["command": "POST /admin/checkpoint", "error": "\(error)"])
                return Self.error(error)
            }
        }
        router.post("/admin/backup") { [backup, logger, database] request, _ in
            guard let backup else { return Self.json(["error": "backups are not available on this server"], status: .notImplemented) }
            let body = try await request.body.collect(upTo: 1 << 16)
            guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
                  let destination = object["to"] as? String, !destination.isEmpty else {
                return Self.json(["error": "expected a JSON body {\"to\": \"/backup/directory\"}"], status: .badRequest)
            }
            guard destination.hasPrefix("/") else {
                return Self.json(["error": "the backup destination must be an absolute path (a relative one would be taken from the server's working directory)"],
                                 status: .badRequest)
            }
            logger.notice("admin: backup requested", metadata: ["to": "\(destination)"])
            do {
                let manifest = try await backup(destination)
                await database.recordAudit("admin_command", actor: "admin-http", details: ["command": "POST /admin/backup", "to": destination])
                return Self.json(["manifest": manifest], status: .ok)
            } catch {
                await database.recordAudit("admin_command", outcome: .failure, actor: "admin-http",
                                           details: ["command": "POST /admin/backup", "to": destination, "error": "\(error)"])
                return Self.error(error)
            }
        }
        return Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(options.host, port: options.port), serverName: "mantisdb-admin"),
            onServerRunning: { [self] channel in
                let bound = channel.localAddress?.port ?? options.port
                let waiting = port.withLock { port -> [CheckedContinuation<Int, Never>] in
                    port = bound
                    return ready.withLock { list in defer { list = [] }; return list }
                }
                for continuation in waiting { continuation.resume(returning: bound) }
                logger.info("admin HTTP API listening", metadata: ["address": "\(options.host):\(bound)"])
            },
            logger: logger)
    }

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func error(_ error: any Error) -> Response {
        let mantis = error as? MantisError
        let status: HTTPResponse.Status = switch mantis?.code {
        case .readOnly?, .walFailed?: .serviceUnavailable
        case .invalidArgument?, .invalidConfiguration?, .notFound?, .permissionDenied?: .badRequest
        case .diskFull?: .init(code: 507, reasonPhrase: "Insufficient Storage")
        case .alreadyExists?: .conflict
        default: .internalServerError
        }
        return json(["error": "\(error)", "code": mantis?.code.rawValue ?? "error"], status: status)
    }
}

/// Requires `Authorization: Bearer <token>` on every route except `/health/*`.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path.hasPrefix("/health/") { return try await next(request, context) }
        // The scheme is case-insensitive (RFC 7235); the token is compared in constant time.
        guard let presented = request.headers[.authorization], presented.count > 7,
              presented.prefix(7).lowercased() == "bearer ",
              SecretComparison.matches(presented.utf8.dropFirst(7), token.utf8) else {
            var headers = HTTPFields()
            headers[.wwwAuthenticate] = "Bearer"
            return Response(status: .unauthorized, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: "{\"error\": \"missing or wrong bearer token\"}\n")))
        }
        return try await next(request, context)
    }
}
