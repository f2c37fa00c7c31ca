/// What the server knows about each command before running it: arity (Redis convention:
/// `n` exactly n words including the name, `-n` at least n) and where it may run.
struct RESPCommandSpec: Sendable {
    struct Flags: OptionSet, Sendable {
        let rawValue: UInt8
        /// Runs before `AUTH` when a password is required.
        static let noAuth = Flags(rawValue: 1)
        /// A key-value command (`RESPDataOp`): batched, queued by `MULTI`, run inside `BEGIN`.
        static let data = Flags(rawValue: 2)
        /// Changes data.
        static let write = Flags(rawValue: 4)
        /// Reads data only.
        static let readonly = Flags(rawValue: 8)
        /// Administrative (not allowed inside `MULTI`).
        static let admin = Flags(rawValue: 16)
    }

    let name: String
    let arity: Int
    let flags: Flags
    /// Key positions for `COMMAND INFO` (first, last (-1: to the end), step).
    let keys: (first: Int, last: Int, step: Int)

    func acceptsArgumentCount(_ count: Int) -> Bool {
        arity >= 0 ? count == arity : count >= -arity
    }

    /// The `COMMAND` / `COMMAND INFO` entry (Redis 7 layout: name, arity, flags, first key,
    /// last key, step, ACL categories, tips, key specifications, subcommands).
    var info: RESPValue {
        var flagNames: [RESPValue] = []
        if flags.contains(.write) { flagNames.append(.simpleString("write")) }
        if flags.contains(.readonly) { flagNames.append(.simpleString("readonly")) }
        if flags.contains(.admin) { flagNames.append(.simpleString("admin")) }
        if flags.contains(.noAuth) { flagNames.append(.simpleString("no_auth")) }
        return .array([
            .bulk(name.lowercased()), .integer(Int64(arity)), .set(flagNames),
            .integer(Int64(keys.first)), .integer(Int64(keys.last)), .integer(Int64(keys.step)),
            .set([]), .set([]), .array([]), .array([]),
        ])
    }
}

enum RESPCommandTable {
    static let specs: [String: RESPCommandSpec] = {
        let list: [RESPCommandSpec] = [
            // Before AUTH only AUTH, HELLO, QUIT and RESET run; PING gets NOAUTH.
            .init(name: "PING", arity: -1, flags: [], keys: (0, 0, 0)),
            .init(name: "ECHO", arity: 2, flags: [], keys: (0, 0, 0)),
            .init(name: "HELLO", arity: -1, flags: [.noAuth], keys: (0, 0, 0)),
            .init(name: "AUTH", arity: -2, flags: [.noAuth], keys: (0, 0, 0)),
            .init(name: "CLIENT", arity: -2, flags: [], keys: (0, 0, 0)),
            .init(name: "SELECT", arity: 2, flags: [], keys: (0, 0, 0)),
            .init(name: "QUIT", arity: -1, flags: [.noAuth], keys: (0, 0, 0)),
            .init(name: "RESET", arity: 1, flags: [.noAuth], keys: (0, 0, 0)),
            .init(name: "COMMAND", arity: -1, flags: [], keys: (0, 0, 0)),
            .init(name: "GET", arity: 2, flags: [.data, .readonly], keys: (1, 1, 1)),
            .init(name: "SET", arity: -3, flags: [.data, .write], keys: (1, 1, 1)),
            .init(name: "SETNX", arity: 3, flags: [.data, .write], keys: (1, 1, 1)),
            .init(name: "GETSET", arity: 3, flags: [.data, .write], keys: (1, 1, 1)),
            .init(name: "GETDEL", arity: 2, flags: [.data, .write], keys: (1, 1, 1)),
            .init(name: "DEL", arity: -2, flags: [.data, .write], keys: (1, -1, 1)),
            .init(name: "UNLINK", arity: -2, flags: [.data, .write], keys: (1, -1, 1)),
            .init(name: "EXISTS", arity: -2, flags: [.data, .readonly], keys: (1, -1, 1)),
            .init(name: "MGET", arity: -2, flags: [.data, .readonly], keys: (1, -1, 1)),
            .init(name: "MSET", arity: -3, flags: [.data, .write], keys: (1, -1, 2)),
            .init(name: "INCR", arity: 2, flags: [.data, .write], keys: (1, 1, 1)),
            .init(name: "INCRBY", arity: 3, flags: [.data, .write], keys: (1, 1, 1)),
            .init(name: "DECR", arity: 2, flags: [.data, .write], keys: (1, 1, 1)),
            .init(name: "DECRBY", arity: 3, flags: [.data, .write], keys: (1, 1, 1)),
            .init(name: "APPEND", arity: 3, flags: [.data, .write], keys: (1, 1, 1)),
            .init(name: "STRLEN", arity: 2, flags: [.data, .readonly], keys: (1, 1, 1)),
            .init(name: "TYPE", arity: 2, flags: [.data, .readonly], keys: (1, 1, 1)),
            .init(name: "KEYS", arity: 2, flags: [.data, .readonly], keys: (0, 0, 0)),
            .init(name: "DBSIZE", arity: 1, flags: [.data, .readonly], keys: (0, 0, 0)),
            .init(name: "SCAN", arity: -2, flags: [.data, .readonly], keys: (0, 0, 0)),
            .init(name: "MULTI", arity: 1, flags: [], keys: (0, 0, 0)),
            .init(name: "EXEC", arity: 1, flags: [], keys: (0, 0, 0)),
            .init(name: "DISCARD", arity: 1, flags: [], keys: (0, 0, 0)),
            .init(name: "WATCH", arity: -2, flags: [], keys: (1, -1, 1)),
            .init(name: "UNWATCH", arity: 1, flags: [], keys: (0, 0, 0)),
            .init(name: "BEGIN", arity: -1, flags: [], keys: (0, 0, 0)),
            .init(name: "COMMIT", arity: 1, flags: [], keys: (0, 0, 0)),
            .init(name: "ROLLBACK", arity: 1, flags: [], keys: (0, 0, 0)),
            .init(name: "INFO", arity: -1, flags: [], keys: (0, 0, 0)),
            .init(name: "CONFIG", arity: -2, flags: [.admin], keys: (0, 0, 0)),
            .init(name: "CHECKPOINT", arity: 1, flags: [.admin], keys: (0, 0, 0)),
            .init(name: "SAVE", arity: 1, flags: [.admin], keys: (0, 0, 0)),
            .init(name: "WALSYNC", arity: 1, flags: [.admin], keys: (0, 0, 0)),
            .init(name: "SHUTDOWN", arity: -1, flags: [.admin], keys: (0, 0, 0)),
        ]
        return Dictionary(uniqueKeysWithValues: list.map { ($0.name, $0) })
    }()
}
