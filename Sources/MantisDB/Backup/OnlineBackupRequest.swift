import Foundation
import MantisCore

/// `mantisdb backup --admin URL`: the request to a running server's `POST /admin/backup` and what
/// its outcome means, without the HTTP transport (the executable sends it). Every failure is a
/// `MantisError` naming the URL and what to check, never a raw transport error or a bare body.
public struct OnlineBackupRequest: Sendable {
    /// The admin API's base URL as given (`--admin`).
    public let admin: String
    /// `<admin>/admin/backup`.
    public let url: URL
    /// `{"to": "<destination>"}`.
    public let body: Data
    /// The header fields to send (content type, and the bearer token if one was given).
    public let headers: [String: String]

    /// Throws `invalidArgument` naming `--admin` if `admin` is not an http(s) URL.
    public init(admin: String, to destination: String, token: String?) throws {
        self.admin = admin
        let base = admin.hasSuffix("/") ? String(admin.dropLast()) : admin
        guard let url = URL(string: base + "/admin/backup"), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
            throw MantisError(.invalidArgument, "--admin \(admin) is not an http(s) URL of the admin API (e.g. http://127.0.0.1:7380)",
                              context: ErrorContext(operation: "backup"))
        }
        self.url = url
        body = try JSONSerialization.data(withJSONObject: ["to": destination])
        var headers = ["Content-Type": "application/json"]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        self.headers = headers
    }

    /// The server's answer: the body text if the status is 200; otherwise throws an error naming
    /// the HTTP status and the server's message, and for 401 the `--token` option.
    public func result(status: Int, body: Data) throws -> String {
        let text = String(decoding: body, as: UTF8.self)
        if status == 200 { return text }
        let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any]
        let message = (object?["error"] as? String) ?? Self.excerpt(text)
        let context = ErrorContext(operation: "backup")
        switch status {
        case 401:
            let hint = headers["Authorization"] == nil
                ? "the server requires the admin token: pass it with --token (admin.token in the server's configuration)"
                : "the token given with --token is not the server's admin.token"
            throw MantisError(.permissionDenied, "the admin server at \(admin) refused the backup: HTTP 401 Unauthorized (\(message)); \(hint)", context: context)
        case 404:
            throw MantisError(.notFound, "the admin server at \(admin) has no backup endpoint: HTTP 404 (\(message)); is --admin the admin API's address (admin.port, not the RESP port)?", context: context)
        default:
            // The server names its error code ({"error": …, "code": "already_exists"}); keep it.
            let code = (object?["code"] as? String).flatMap(MantisError.Code.init(rawValue:)) ?? .ioError
            throw MantisError(code, "the backup failed on the server at \(admin): HTTP \(status): \(message)", context: context)
        }
    }

    /// A transport failure (no HTTP answer), explained: the URL, why, and what to check.
    public func unreachable(_ error: any Error) -> MantisError {
        let reason: String
        let nsError = error as NSError
        if nsError.domain == NSURLErrorDomain {
            reason = switch nsError.code {
            case NSURLErrorCannotConnectToHost: "connection refused"
            case NSURLErrorTimedOut: "timed out"
            case NSURLErrorCannotFindHost, NSURLErrorDNSLookupFailed: "host not found"
            case NSURLErrorNetworkConnectionLost: "the connection was lost before an answer"
            case NSURLErrorSecureConnectionFailed, NSURLErrorServerCertificateUntrusted: "the TLS connection failed"
            case NSURLErrorBadServerResponse: "the answer was not HTTP"
            default: (nsError.userInfo[NSLocalizedDescriptionKey] as? String) ?? "error \(nsError.code)"
            }
        } else {
            reason = "\(error)"
        }
        return MantisError(.ioError, "cannot reach the admin server at \(url.absoluteString): \(reason); is the server running, and is --admin its admin API (admin.host:admin.port)?",
                           context: ErrorContext(operation: "backup"))
    }

    /// The first 200 characters of `text` on one line.
    static func excerpt(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces)
        if line.isEmpty { return "no message" }
        return line.count > 200 ? String(line.prefix(200)) + "…" : line
    }
}
