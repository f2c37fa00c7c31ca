import MantisCore

extension RESPDataOp {
    /// Runs a read-only op outside any transaction, synchronously (it never waits: each key is
    /// one read of the latest committed state). Nil if the op writes.
    func executeRead(context: RESPServerContext) -> RESPValue? {
        let database = context.database
        do {
            switch self {
            case .get(let key):
                return try database.get(key).map(RESPValue.bulkString) ?? .null
            case .exists(let keys):
                return .integer(Int64(try database.get(keys).count { $0 != nil }))
            case .mget(let keys):
                return .array(try database.get(keys).map { $0.map(RESPValue.bulkString) ?? .null })
            case .strlen(let key):
                return .integer(Int64(try database.get(key)?.count ?? 0))
            case .type(let key):
                return .simpleString(try database.get(key) == nil ? "none" : "string")
            case .keys(let glob):
                let limit = context.options.maxArrayLength
                let pairs = try database.scan(.prefix(glob.literalPrefix), limit: limit + 1)
                return Self.keysReply(pairs.lazy.map(\.key), glob: glob, limit: limit)
            case .scan(let query):
                return try query.run(cursors: context.cursors) { try database.scan($0, limit: $1).map(\.key) }
            case .dbsize:
                return .integer(Int64(database.store.statistics.liveKeys))
            case .info(let request, _):
                return context.introspectionReply(request)
            case .reply(let reply):
                return reply
            case .set, .getDelete, .delete, .mset, .incrementBy, .append:
                return nil
            }
        } catch {
            return .failure(error)
        }
    }
}
