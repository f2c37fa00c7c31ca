/// The HTTP admin API: health, metrics, status, checkpoint and backup triggers.
public struct AdminServerOptions: Sendable, Hashable {
    public var enabled = true
    /// Loopback by default: the admin API is for operators on the host.
    public var host = "127.0.0.1"
    public var port = 7380
    /// When set, every request except `/health/*` needs `Authorization: Bearer <token>`.
    public var bearerToken: String?

    public init() {}
}
