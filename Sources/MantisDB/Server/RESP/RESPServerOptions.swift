/// Where the RESP (Redis protocol) server listens and its limits.
public struct RESPServerOptions: Sendable, Hashable {
    public var host = "127.0.0.1"
    public var port = 7379
    /// Connections beyond this are refused with an error and closed.
    public var maxConnections = 1024
    /// The largest bulk string (key or value) accepted.
    public var maxBulkLength = 16 << 20
    /// Unparsed input a connection may buffer (pipelined requests); past it the connection gets
    /// an error and is closed.
    public var maxPipelineBytes = 128 << 20
    /// The most elements in one request array.
    public var maxArrayLength = 1 << 20
    /// Connections idle this long are closed; nil never.
    public var idleTimeout: Duration?
    /// When set, clients must AUTH with it first.
    public var requirePassword: String?
    /// How long `shutdown()` lets connections finish their command in flight before closing them.
    public var shutdownGracePeriod: Duration = .seconds(10)

    public init() {}
}
