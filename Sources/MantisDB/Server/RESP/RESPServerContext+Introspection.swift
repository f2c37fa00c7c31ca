/// `COMMAND`, `CONFIG` and `INFO`: answers from the server's own state, the same on every
/// connection. Inside `MULTI`, `COMMAND` and `CONFIG` (whose answers never change) are answered
/// while queuing, `INFO` at `EXEC` (`RESPDataOp.info`).
extension RESPServerContext {
    /// The reply to `INFO`, `COMMAND` or `CONFIG`. `liveKeys`: the keys `INFO keyspace` counts
    /// (inside a transaction, with its own writes); nil: the committed count.
    func introspectionReply(_ request: RESPRequest, liveKeys: Int? = nil) -> RESPValue {
        switch request.name {
        case "INFO":
            // A verbatim string in RESP3, a bulk string in RESP2.
            let sections = (1..<request.count).map { request.text($0).lowercased() }
            return .verbatimString(format: "txt", text: info(sections: sections, liveKeys: liveKeys))
        case "COMMAND": return commandReply(request)
        default: return configReply(request)
        }
    }

    /// `COMMAND`, `COMMAND COUNT`, `COMMAND INFO name…`, `COMMAND LIST`, `COMMAND DOCS` (empty),
    /// `COMMAND HELP`.
    private func commandReply(_ request: RESPRequest) -> RESPValue {
        if let rejection = RESPSubcommands.rejection(request) { return rejection }
        let specs = RESPCommandTable.specs
        func everyCommand() -> RESPValue { .array(specs.keys.sorted().map { specs[$0]!.info }) }
        guard request.count > 1 else { return everyCommand() }
        switch request.word(1) {
        case "COUNT": return .integer(Int64(specs.count))
        case "LIST":
            if request.count > 2, request.word(2) == "FILTERBY" { return .error("ERR COMMAND LIST FILTERBY is not supported") }
            guard request.count == 2 else { return .syntaxError }
            return .array(specs.keys.sorted().map { .bulk($0.lowercased()) })
        case "DOCS": return .map([])
        case "INFO":
            // No names: every command (Redis 7).
            guard request.count > 2 else { return everyCommand() }
            return .array((2..<request.count).map { specs[request.word($0)]?.info ?? .null })
        default: return RESPSubcommands.help(for: "COMMAND")
        }
    }

    /// `CONFIG GET pattern [pattern …]` from the read-only view the owner supplied (a map in RESP3,
    /// a flat array in RESP2), and `CONFIG HELP`. The other subcommands say the configuration is
    /// read-only.
    private func configReply(_ request: RESPRequest) -> RESPValue {
        if let rejection = RESPSubcommands.rejection(request) { return rejection }
        switch request.word(1) {
        case "GET":
            let globs = request.arguments[2...].map { RESPGlob($0, caseInsensitive: true) }
            let entries = (configView?() ?? []).filter { name, _ in
                globs.contains { $0.matches(Array(name.utf8)) }
            }
            return .map(entries.map { RESPMapEntry(.bulk($0.0), .bulk($0.1)) })
        case "HELP":
            return RESPSubcommands.help(for: "CONFIG")
        default:
            return .error("ERR CONFIG \(request.word(1)) is not supported: the configuration is read-only here (change the configuration file and restart)")
        }
    }
}
