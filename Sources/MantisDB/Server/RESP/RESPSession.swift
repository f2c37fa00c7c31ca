import MantisCore
import NIOCore
import TxnKit

/// The state of one connection and the dispatch of its commands: protocol version,
/// authentication, client name, the `MULTI` queue and `WATCH`ed keys, the interactive
/// transaction. Lives on the connection's event loop and is touched only there; work that
/// awaits the database is handed out as a `@Sendable` closure capturing only sendable values
/// (the database, the transaction, the parsed ops), so the session is never shared.
///
/// Commands run strictly in the order they arrived, and a reply is produced only after the
/// database call it depends on returned (for writes: after the commit is durable).
final class RESPSession {
    let server: RESPServerContext
    let record: RESPClientRecord
    var protocolVersion = RESPProtocolVersion.resp2 {
        didSet { record.details.withLock { $0.protocolVersion = protocolVersion } }
    }
    var authenticated: Bool
    /// The queued ops while in `MULTI` (nil outside it).
    var multi: [RESPDataOp]?
    var multiBytes = 0
    /// A command failed to queue: `EXEC` must abort.
    var multiFailed = false
    /// The name a `CLIENT SETNAME` queued in `MULTI` gives once `EXEC` runs (`.some(nil)`: clear).
    var multiClientName: String??
    /// Watched keys and the visible snapshot at their `WATCH`: any commit to the key after it
    /// aborts `EXEC`.
    var watched: [[UInt8]: UInt64] = [:]
    /// Held while keys are watched: keeps garbage collection from removing the versions and
    /// tombstones committed after the first `WATCH`, which `EXEC` must see. Released by
    /// `unwatch()` (`EXEC` releases it only once its check is done).
    var watchPin: SnapshotPin?
    /// The interactive transaction (`BEGIN … COMMIT`).
    var transaction: Transaction? {
        didSet { record.details.withLock { $0.inTransaction = transaction != nil } }
    }
    /// Commands handled since the owner last collected the count.
    var commandsHandled = 0

    init(server: RESPServerContext, record: RESPClientRecord) {
        self.server = server
        self.record = record
        self.authenticated = server.options.requirePassword == nil
    }

    var database: Database { server.database }
    var encoder: RESPEncoder { RESPEncoder(version: protocolVersion) }

    /// Handles the request at the front of `queue` (and, for key-value commands, the run of
    /// key-value commands behind it, as one batch), removing what it handled.
    func step(_ queue: inout CircularBuffer<RESPRequest>) -> RESPStep {
        let request = queue.first!
        let name = request.name
        guard let spec = RESPCommandTable.specs[name], spec.acceptsArgumentCount(request.count) else {
            queue.removeFirst()
            commandsHandled += 1
            return .reply(reject(name, RESPCommandTable.specs[name] == nil ? .unknownCommand(request) : .wrongArity(name)))
        }
        if !authenticated, !spec.flags.contains(.noAuth) {
            queue.removeFirst()
            commandsHandled += 1
            return .reply(reject(name, .noAuth))
        }
        if multi != nil, !["EXEC", "DISCARD", "QUIT", "RESET"].contains(name) {
            queue.removeFirst()
            commandsHandled += 1
            return .reply(queueInMulti(name, spec, request))
        }
        if spec.flags.contains(.data) {
            return dataStep(&queue)
        }
        queue.removeFirst()
        commandsHandled += 1
        return command(name, request)
    }

    /// A command refused before it runs (unknown, wrong arity, not authenticated): in `MULTI` the
    /// transaction is flagged to abort. A refused `EXEC` itself ends the transaction at once, as in
    /// Redis: `EXECABORT Transaction discarded because of: <why>`, and the watched keys are
    /// forgotten (also outside `MULTI`).
    private func reject(_ name: String, _ reply: RESPValue) -> RESPValue {
        guard name == "EXEC", RESPCommandTable.specs[name] != nil else {
            if multi != nil { multiFailed = true }
            return reply
        }
        if multi != nil { endMulti() }
        unwatch()
        var why = reply.text ?? "error"
        if why.hasPrefix("ERR ") { why.removeFirst(4) }
        return .error("EXECABORT Transaction discarded because of: \(why)")
    }

    /// The commands that are not key-value ops.
    private func command(_ name: String, _ request: RESPRequest) -> RESPStep {
        switch name {
        case "PING": return .reply(ping(request))
        case "ECHO": return .reply(.bulkString(request.arguments[1]))
        case "QUIT": return .close(.ok)
        case "RESET": return .reply(reset())
        case "HELLO": return .reply(hello(request))
        case "AUTH": return .reply(auth(request))
        case "CLIENT": return .reply(client(request))
        case "SELECT": return .reply(select(request))
        case "COMMAND", "INFO", "CONFIG": return .reply(server.introspectionReply(request))
        case "MULTI": return .reply(beginMulti())
        case "EXEC": return exec()
        case "DISCARD": return .reply(discard())
        case "WATCH": return .reply(watch(request))
        case "UNWATCH":
            unwatch()
            return .reply(.ok)
        case "BEGIN": return .reply(begin(request))
        case "COMMIT": return commit()
        case "ROLLBACK": return .reply(rollback())
        case "CHECKPOINT", "SAVE": return checkpoint(request)
        case "WALSYNC": return walSync()
        case "SHUTDOWN": return shutdown(request)
        default: return .reply(.unknownCommand(request))
        }
    }

    func ping(_ request: RESPRequest) -> RESPValue {
        guard request.count == 1 else {
            return request.count == 2 ? .bulkString(request.arguments[1]) : .wrongArity("ping")
        }
        return .simpleString("PONG")
    }

    /// `RESET`: the connection as if new, as in Redis: `MULTI` discarded, an interactive
    /// transaction rolled back, watches dropped, RESP2, no client name, and (with a password)
    /// not authenticated.
    func reset() -> RESPValue {
        if multi != nil { endMulti() }
        close()
        protocolVersion = .resp2
        authenticated = server.options.requirePassword == nil
        record.details.withLock { $0.name = nil }
        return .simpleString("RESET")
    }

    /// The connection ends: an open transaction is rolled back, watched keys are forgotten (and
    /// their hold on garbage collection released).
    func close() {
        transaction?.rollback()
        transaction = nil
        unwatch()
    }

    /// Runs `body` off the event loop, replying with its value or the error it throws.
    func work(_ body: @escaping @Sendable () async throws -> RESPValue) -> RESPStep {
        .work {
            do { return [try await body()] } catch { return [.failure(error)] }
        }
    }
}
