import MantisCore
import TxnKit

/// A parsed `SCAN cursor [MATCH pattern] [COUNT n] [TYPE type]`.
///
/// Keys come in key order; a cursor stands for the last key returned, so every key that exists
/// for the whole iteration is returned exactly once, whatever is written meanwhile (keys added
/// or deleted during it may or may not appear — as in Redis). `COUNT` keys are examined per
/// call (at most 100 000); `MATCH` filters those, so a call may return fewer or none with a
/// non-zero cursor. Cursor `0` starts, and a returned `0` ends, the iteration.
struct RESPScanQuery: Sendable {
    static let maxCount = 100_000
    /// Scans of more keys than this run in a task rather than on the event loop.
    static let maxInlineCount = 1_000

    var cursor: UInt64
    var count: Int
    var glob: RESPGlob?
    /// A `TYPE` other than `string`: nothing can match (every key is a string).
    var matchesNothing: Bool

    /// The query, or the error reply for a malformed cursor, an unknown option or a bad count.
    static func parse(_ request: RESPRequest) -> Result<RESPScanQuery, RESPValueError> {
        guard let cursor = UInt64(request.text(1)) else { return .failure(RESPValueError(.error("ERR invalid cursor"))) }
        var query = RESPScanQuery(cursor: cursor, count: 10, glob: nil, matchesNothing: false)
        var index = 2
        while index < request.count {
            guard index + 1 < request.count else { return .failure(RESPValueError(.syntaxError)) }
            switch request.word(index) {
            case "MATCH": query.glob = RESPGlob(request.arguments[index + 1])
            case "COUNT":
                guard let number = RESPInteger.parse(request.arguments[index + 1]) else { return .failure(RESPValueError(.notInteger)) }
                guard number >= 1 else { return .failure(RESPValueError(.syntaxError)) }
                query.count = Int(min(number, Int64(maxCount)))
            case "TYPE": query.matchesNothing = request.word(index + 1) != "STRING"
            default: return .failure(RESPValueError(.syntaxError))
            }
            index += 2
        }
        return .success(query)
    }

    /// Runs the query with `scan` (the keys of a range, at most a limit, in order): the next
    /// cursor (0 when fewer keys came back: the end) and the keys matching `glob`. An unknown
    /// cursor is an error reply.
    func run(cursors: RESPScanCursors, scan: (KeyRange, Int) throws -> [[UInt8]]) rethrows -> RESPValue {
        var range = KeyRange.prefix(glob?.literalPrefix ?? [])
        if cursor != 0 {
            guard let lastKey = cursors.lastKey(of: cursor) else { return .error("ERR invalid cursor") }
            // The smallest key after the last one returned (it lies within the prefix range).
            range.lower = lastKey + [0]
        }
        if matchesNothing { return .array([.bulk("0"), .array([])]) }
        let keys = try scan(range, count)
        let next: UInt64 = keys.count < count ? 0 : cursors.register(after: keys.last!)
        let matched = glob.map { glob in keys.filter(glob.matches) } ?? keys
        return .array([.bulk(String(next)), .array(matched.map(RESPValue.bulkString))])
    }
}
