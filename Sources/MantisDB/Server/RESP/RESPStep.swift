/// What the connection does next after `RESPSession.step`.
enum RESPStep {
    /// Write this reply now.
    case reply(RESPValue)
    /// Write these replies now, in order.
    case replies([RESPValue])
    /// Run this off the event loop (it awaits the database); write its replies, in order, when
    /// it returns. Nothing else of this connection runs meanwhile.
    case work(@Sendable () async -> [RESPValue])
    /// Commit these autocommit key-value ops (with other connections' on this event loop, see
    /// `RESPCommitCoalescer`); write their replies, in order, once durable.
    case commit([RESPDataOp])
    /// Write the reply and close the connection (`QUIT`).
    case close(RESPValue)
    /// Write the reply, close the connection, then ask the owner to shut the server down.
    case shutdown(RESPValue)
}
