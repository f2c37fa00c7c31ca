import MantisCore

/// Where a webhook posts: `http://host[:port][/path]`.
public struct HTTPEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var path: String

    public init(host: String, port: Int = 80, path: String = "/") {
        self.host = host
        self.port = port
        self.path = path
    }

    /// Parses `http://host[:port][/path]` (IPv6 hosts in brackets).
    /// - Throws: `invalidConfiguration` for anything else, including `https://`: TLS is not built
    ///   in (point the webhook at a local relay, such as Alertmanager, that forwards over HTTPS).
    ///   The message does not quote the URL: it may hold a token.
    public init(parsing url: String) throws {
        do {
            self = try Self.parse(url)
        } catch {
            throw MantisError(.invalidConfiguration, "alerts.webhook_url \(error.reason)",
                              context: ErrorContext(operation: "configure", metadata: ["setting": "alerts.webhook_url"]))
        }
    }

    /// What is wrong with `url` as a webhook endpoint (without quoting it); nil if nothing.
    public static func problem(with url: String) -> String? {
        do {
            _ = try parse(url)
            return nil
        } catch {
            return error.reason
        }
    }

    private struct Invalid: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    private static func parse(_ url: String) throws(Invalid) -> HTTPEndpoint {
        let lower = url.lowercased()
        if lower.hasPrefix("https://") {
            throw Invalid("uses https, which this build does not speak: post to a local relay over http (e.g. Alertmanager or a sidecar) that forwards over TLS")
        }
        guard lower.hasPrefix("http://") else { throw Invalid("is not an http:// URL") }
        var rest = Substring(url.dropFirst("http://".count))
        var pathPart = "/"
        if let slash = rest.firstIndex(of: "/") {
            pathPart = String(rest[slash...])
            rest = rest[..<slash]
        }
        guard !rest.isEmpty, !rest.contains("@") else { throw Invalid("has no host (or has credentials, which are not supported)") }
        var hostPart = rest
        var port = 80
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw Invalid("has an unclosed IPv6 bracket") }
            hostPart = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") {
                guard let value = Int(after.dropFirst()), (1...65535).contains(value) else { throw Invalid("has a bad port") }
                port = value
            }
        } else if let colon = rest.lastIndex(of: ":") {
            hostPart = rest[..<colon]
            guard let value = Int(rest[rest.index(after: colon)...]), (1...65535).contains(value) else { throw Invalid("has a bad port") }
            port = value
        }
        guard !hostPart.isEmpty else { throw Invalid("has no host") }
        return HTTPEndpoint(host: String(hostPart), port: port, path: pathPart)
    }

    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "http://\(shownHost):\(port)\(path)"
    }
}

/// Posts a body over HTTP and returns the response status. Implementations throw `MantisError`:
/// `ioError` (connection refused or reset — transient), `timeout`.
public protocol HTTPTransport: Sendable {
    func post(_ endpoint: HTTPEndpoint, body: [UInt8], headers: [(String, String)], timeout: Duration) async throws -> Int
}
