/// Connection commands: `HELLO`, `AUTH`, `CLIENT`, `SELECT`, `COMMAND`.
extension RESPSession {
    /// `HELLO [protover [AUTH username password] [SETNAME name]]`: switches the protocol and
    /// replies with the server's facts (a map in RESP3, a flat array in RESP2).
    func hello(_ request: RESPRequest) -> RESPValue {
        var version = protocolVersion
        var credentials: (user: [UInt8], password: [UInt8])?
        var name: [UInt8]?
        if request.count >= 2 {
            guard let number = RESPInteger.parse(request.arguments[1]) else {
                return .error("ERR Protocol version is not an integer or out of range")
            }
            guard let parsed = RESPProtocolVersion(rawValue: Int(number)) else {
                return .error("NOPROTO unsupported protocol version")
            }
            version = parsed
            var index = 2
            while index < request.count {
                let more = request.count - index - 1
                switch request.word(index) {
                case "AUTH" where more >= 2:
                    credentials = (request.arguments[index + 1], request.arguments[index + 2])
                    index += 3
                case "SETNAME" where more >= 1:
                    name = request.arguments[index + 1]
                    index += 2
                default:
                    return .quoting("ERR Syntax error in HELLO option '", request.arguments[index], "'")
                }
            }
        }
        if let credentials {
            if let failure = authenticate(user: credentials.user, password: credentials.password) { return failure }
        }
        if !authenticated {
            return .error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
        }
        if let name {
            if let failure = setName(name) { return failure }
        }
        protocolVersion = version
        return .map([
            "server": .bulk("mantisdb"),
            "version": .bulk(RESPServer.version),
            "proto": .integer(Int64(version.rawValue)),
            "id": .integer(Int64(record.id)),
            "mode": .bulk("standalone"),
            "role": .bulk("master"),
            "modules": .array([]),
        ])
    }

    /// `AUTH password` or `AUTH default password`. Without a configured password, as Redis 6+
    /// (whose default user then has no password): `AUTH default anything` succeeds (so clients
    /// that always send a username connect), `AUTH password` is an error.
    func auth(_ request: RESPRequest) -> RESPValue {
        switch request.count {
        case 2:
            guard server.options.requirePassword != nil else {
                return .error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
            }
            return authenticate(user: Array("default".utf8), password: request.arguments[1]) ?? .ok
        case 3: return authenticate(user: request.arguments[1], password: request.arguments[2]) ?? .ok
        default: return .syntaxError
        }
    }

    /// Nil on success; the error reply otherwise.
    private func authenticate(user: [UInt8], password: [UInt8]) -> RESPValue? {
        guard let required = server.options.requirePassword else {
            // No password configured: any credentials of the default user are accepted (as Redis).
            return user == Array("default".utf8) ? nil : .wrongPass
        }
        let matches = SecretComparison.matches(password, required.utf8)
        guard matches, user == Array("default".utf8) else { return .wrongPass }
        authenticated = true
        return nil
    }

    private func setName(_ name: [UInt8]) -> RESPValue? {
        if let failure = Self.checkName(name) { return failure }
        record.details.withLock { $0.name = Self.storedName(name) }
        return nil
    }

    /// Nil if `name` may be a client name; the error reply otherwise.
    static func checkName(_ name: [UInt8]) -> RESPValue? {
        guard name.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return .error("ERR Client names cannot contain spaces, newlines or special characters.")
        }
        return nil
    }

    /// The name as kept in the record (an empty name clears it).
    static func storedName(_ name: [UInt8]) -> String? {
        name.isEmpty ? nil : String(decoding: name, as: UTF8.self)
    }

    /// `CLIENT SETNAME | GETNAME | SETINFO | ID | INFO | LIST | HELP`.
    func client(_ request: RESPRequest) -> RESPValue {
        if let rejection = RESPSubcommands.rejection(request) { return rejection }
        switch request.word(1) {
        case "SETNAME":
            return setName(request.arguments[2]) ?? .ok
        case "GETNAME":
            return record.details.withLock { $0.name }.map(RESPValue.bulk) ?? .null
        case "SETINFO":
            // Redis 7.2's order: the option first, then the value.
            let option = request.word(2)
            guard option == "LIB-NAME" || option == "LIB-VER" else {
                return .quoting("ERR Unrecognized option '", request.arguments[2], "'")
            }
            guard request.arguments[3].allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                return .quoting("ERR ", request.arguments[2], " cannot contain spaces, newlines or special characters.")
            }
            let value = request.text(3)
            record.details.withLock { details in
                if option == "LIB-NAME" { details.libraryName = value } else { details.libraryVersion = value }
            }
            return .ok
        case "ID":
            return .integer(Int64(record.id))
        case "INFO":
            return .verbatimString(format: "txt", text: record.line + "\n")
        case "LIST":
            if request.count > 2 {
                return ["TYPE", "ID"].contains(request.word(2)) ? .error("ERR CLIENT LIST \(request.word(2)) is not supported") : .syntaxError
            }
            return .verbatimString(format: "txt", text: server.registry.records.map { $0.line + "\n" }.joined())
        default:
            return RESPSubcommands.help(for: "CLIENT")
        }
    }

    func select(_ request: RESPRequest) -> RESPValue {
        guard let index = RESPInteger.parse(request.arguments[1]) else { return .notInteger }
        return index == 0 ? .ok : .error("ERR DB index is out of range")
    }
}
