import MantisCore
import TxnKit

/// `SCAN cursor [MATCH pattern] [COUNT n] [TYPE type]`.
///
/// Keys come in key order; a cursor stands for the last key returned, so every key that exists
/// for the whole iteration is returned exactly once, whatever is written meanwhile (keys added
/// or deleted during it may or may not appear — as in Redis). `COUNT` keys are examined per
/// call (at most 100 000); `MATCH` filters those, so a call may return fewer or none with a
/// non-zero cursor. Cursor `0` starts, and a returned `0` ends, the iteration. Inside
/// `BEGIN … COMMIT` the scan sees the transaction's own writes.
extension RESPSession {
    static let maxScanCount = 100_000
    /// Scans of more keys than this run in a task rather than on the event loop.
    static let maxInlineScanCount = 1_000

    func scan(_ request: RESPRequest) -> RESPStep {
        guard let cursor = UInt64(request.text(1)) else { return .reply(.error("ERR invalid cursor")) }
        var glob: RESPGlob?
        var count = 10
        var typeFilter: String?
        var index = 2
        while index < request.count {
            guard index + 1 < request.count else { return .reply(.syntaxError) }
            switch request.word(index) {
            case "MATCH": glob = RESPGlob(request.arguments[index + 1])
            case "COUNT":
                guard let number = RESPInteger.parse(request.arguments[index + 1]) else { return .reply(.notInteger) }
                guard number >= 1 else { return .reply(.syntaxError) }
                count = Int(min(number, Int64(Self.maxScanCount)))
            case "TYPE": typeFilter = request.word(index + 1)
            default: return .reply(.syntaxError)
            }
            index += 2
        }
        var range = KeyRange.prefix(glob?.literalPrefix ?? [])
        if cursor != 0 {
            guard let lastKey = server.cursors.lastKey(of: cursor) else { return .reply(.error("ERR invalid cursor")) }
            // The smallest key after the last one returned (it lies within the prefix range).
            range.lower = lastKey + [0]
        }
        if let typeFilter, typeFilter != "STRING" {
            return .reply(.array([.bulk("0"), .array([])]))
        }
        let cursors = server.cursors
        if let transaction {
            if transaction.isFinished { return .reply(Self.transactionAborted) }
            return work { [range, count, glob] in
                let pairs = try transaction.scan(range, limit: count)
                return Self.scanReply(pairs.map(\.key), count: count, glob: glob, cursors: cursors)
            }
        }
        let database = self.database
        if count > Self.maxInlineScanCount {
            // A long scan runs off the event loop, so it cannot hold up other connections.
            return work { [range, count, glob] in
                let pairs = try database.scan(range, limit: count)
                return Self.scanReply(pairs.map(\.key), count: count, glob: glob, cursors: cursors)
            }
        }
        do {
            let pairs = try database.scan(range, limit: count)
            return .reply(Self.scanReply(pairs.map(\.key), count: count, glob: glob, cursors: cursors))
        } catch {
            return .reply(.failure(error))
        }
    }

    static func scanReply(_ keys: [[UInt8]], count: Int, glob: RESPGlob?, cursors: RESPScanCursors) -> RESPValue {
        let next: UInt64 = keys.count < count ? 0 : cursors.register(after: keys.last!)
        let matched = glob.map { glob in keys.filter(glob.matches) } ?? keys
        return .array([.bulk(String(next)), .array(matched.map(RESPValue.bulkString))])
    }
}
