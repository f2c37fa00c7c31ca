/// A key-value command, parsed and checked, ready to run against the database. The same op
/// runs in every context: autocommit (alone or batched with its pipeline neighbours), queued by
/// `MULTI` and run by `EXEC`, or inside an interactive `BEGIN … COMMIT` transaction (where reads
/// and scans see the transaction's own writes).
enum RESPDataOp: Sendable {
    enum SetCondition: Sendable { case always, ifAbsent, ifPresent }

    case get([UInt8])
    /// `SET key value [NX|XX] [GET]`; `replyStyle` picks between `SET`'s and `SETNX`'s replies.
    case set(key: [UInt8], value: [UInt8], condition: SetCondition, returnOld: Bool, replyStyle: SetReplyStyle)
    case getDelete([UInt8])
    case delete([[UInt8]])
    case exists([[UInt8]])
    case mget([[UInt8]])
    case mset([[UInt8]])
    case incrementBy([UInt8], Int64)
    case append([UInt8], [UInt8])
    case strlen([UInt8])
    case type([UInt8])
    case keys(RESPGlob)
    /// Boxed (`indirect`), so the op stays as small as a `SET`'s for the hot paths.
    indirect case scan(RESPScanQuery)
    case dbsize
    /// `INFO` queued by `MULTI`: the server's facts when `EXEC` runs (`keyspace` counting the
    /// transaction's own writes). `replySize`: about the reply's bytes when queued, counted against
    /// the queue's bound (a few words can ask for a large reply).
    case info(RESPRequest, replySize: Int)
    /// A reply decided while parsing (e.g. a syntax error found outside `MULTI`).
    case reply(RESPValue)

    enum SetReplyStyle: Sendable { case set, setnx }

    /// True if the op may change data (it needs a transaction that commits).
    var isWrite: Bool {
        switch self {
        case .set, .getDelete, .delete, .mset, .incrementBy, .append: true
        case .get, .exists, .mget, .strlen, .type, .keys, .scan, .dbsize, .info, .reply: false
        }
    }

    /// True if the op may take long (so it must not run on the event loop).
    var isLong: Bool {
        switch self {
        case .keys: true
        case .scan(let query): query.count > RESPScanQuery.maxInlineCount
        default: false
        }
    }

    /// Bytes of keys, values, patterns and decided replies (to bound a batch and a `MULTI` queue).
    var size: Int {
        switch self {
        case .get(let key), .getDelete(let key), .strlen(let key), .type(let key): key.count
        case .set(let key, let value, _, _, _), .append(let key, let value): key.count + value.count
        case .delete(let keys), .exists(let keys), .mget(let keys), .mset(let keys): keys.reduce(0) { $0 + $1.count }
        case .incrementBy(let key, _): key.count
        case .keys(let glob): glob.pattern.count
        case .scan(let query): query.glob?.pattern.count ?? 0
        case .info(let request, let replySize): request.arguments.reduce(replySize) { $0 + $1.count }
        case .reply(let reply): reply.approximateSize
        case .dbsize: 0
        }
    }

    /// Parses a request whose command has the `.data` flag and the right arity: the op, or the
    /// error reply for a syntax error (which Redis finds only when the command runs).
    static func parse(_ name: String, _ request: RESPRequest) -> Result<RESPDataOp, RESPValueError> {
        let args = request.arguments
        switch name {
        case "GET": return .success(.get(args[1]))
        case "SET": return parseSet(request)
        case "SETNX": return .success(.set(key: args[1], value: args[2], condition: .ifAbsent, returnOld: false, replyStyle: .setnx))
        case "GETSET": return .success(.set(key: args[1], value: args[2], condition: .always, returnOld: true, replyStyle: .set))
        case "GETDEL": return .success(.getDelete(args[1]))
        case "DEL", "UNLINK": return .success(.delete(Array(args[1...])))
        case "EXISTS": return .success(.exists(Array(args[1...])))
        case "MGET": return .success(.mget(Array(args[1...])))
        case "MSET":
            guard args.count % 2 == 1 else { return .failure(RESPValueError(.wrongArity("mset"))) }
            return .success(.mset(Array(args[1...])))
        case "INCR": return .success(.incrementBy(args[1], 1))
        case "DECR": return .success(.incrementBy(args[1], -1))
        case "INCRBY", "DECRBY":
            guard var amount = RESPInteger.parse(args[2]) else { return .failure(RESPValueError(.notInteger)) }
            if name == "DECRBY" {
                guard amount != .min else { return .failure(RESPValueError(.error("ERR decrement would overflow"))) }
                amount = -amount
            }
            return .success(.incrementBy(args[1], amount))
        case "APPEND": return .success(.append(args[1], args[2]))
        case "STRLEN": return .success(.strlen(args[1]))
        case "TYPE": return .success(.type(args[1]))
        case "KEYS": return .success(.keys(RESPGlob(args[1])))
        case "SCAN": return RESPScanQuery.parse(request).map(RESPDataOp.scan)
        case "DBSIZE": return .success(.dbsize)
        default: return .failure(RESPValueError(.unknownCommand(request)))
        }
    }

    private static func parseSet(_ request: RESPRequest) -> Result<RESPDataOp, RESPValueError> {
        var condition = SetCondition.always
        var returnOld = false
        for index in 3..<request.count {
            switch request.word(index) {
            // A repeated NX or XX is accepted (as Redis); NX with XX is a syntax error.
            case "NX" where condition != .ifPresent: condition = .ifAbsent
            case "XX" where condition != .ifAbsent: condition = .ifPresent
            case "GET": returnOld = true
            case "EX", "PX", "EXAT", "PXAT", "KEEPTTL":
                return .failure(RESPValueError(.error(
                    "ERR SET option '\(request.word(index))' is not supported: MantisDB keys do not expire"), unsupported: true))
            default: return .failure(RESPValueError(.syntaxError))
            }
        }
        return .success(.set(key: request.arguments[1], value: request.arguments[2], condition: condition,
                             returnOld: returnOld, replyStyle: .set))
    }
}

/// An error reply as an `Error` (for `Result`).
struct RESPValueError: Error, Sendable {
    let reply: RESPValue
    /// A refusal of something MantisDB does not do (an expiry option), not a mistake in the
    /// command: `MULTI` refuses it while queuing (so `EXEC` aborts as a whole rather than run the
    /// rest without it). Other parse errors are, as in Redis, that command's reply at `EXEC`.
    let unsupported: Bool
    init(_ reply: RESPValue, unsupported: Bool = false) {
        self.reply = reply
        self.unsupported = unsupported
    }
}
