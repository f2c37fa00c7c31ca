/// Input that is not valid RESP (or breaks a limit). The connection that sent it gets
/// `-ERR Protocol error: <message>` and is closed; nothing else is affected.
public struct RESPProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { "Protocol error: \(message)" }

    /// The reply sent before the connection is closed.
    public var reply: RESPValue { .error("ERR Protocol error: \(message)") }
}
