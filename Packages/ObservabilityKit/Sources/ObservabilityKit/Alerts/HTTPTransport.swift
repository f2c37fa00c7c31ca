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
    public init(parsing url: String) throws {
        func bad(_ why: String) -> MantisError {
            MantisError(.invalidConfiguration, "alerts.webhook_url: \"\(url)\" \(why)",
                        context: ErrorContext(operation: "configure", metadata: ["setting": "alerts.webhook_url"]))
        }
        let lower = url.lowercased()
        if lower.hasPrefix("https://") {
            throw bad("uses https, which this build does not speak: post to a local relay over http (e.g. Alertmanager or a sidecar) that forwards over TLS")
        }
        guard lower.hasPrefix("http://") else { throw bad("is not an http:// URL") }
        var rest = Substring(url.dropFirst("http://".count))
        var pathPart = "/"
        if let slash = rest.firstIndex(of: "/") {
            pathPart = String(rest[slash...])
            rest = rest[..<slash]
        }
        guard !rest.isEmpty, !rest.contains("@") else { throw bad("has no host (or has credentials, which are not supported)") }
        var hostPart = rest
        var port = 80
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw bad("has an unclosed IPv6 bracket") }
            hostPart = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") {
                guard let value = Int(after.dropFirst()), (1...65535).contains(value) else { throw bad("has a bad port") }
                port = value
            }
        } else if let colon = rest.lastIndex(of: ":") {
            hostPart = rest[..<colon]
            guard let value = Int(rest[rest.index(after: colon)...]), (1...65535).contains(value) else { throw bad("has a bad port") }
            port = value
        }
        guard !hostPart.isEmpty else { throw bad("has no host") }
        self.init(host: String(hostPart), port: port, path: pathPart)
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
