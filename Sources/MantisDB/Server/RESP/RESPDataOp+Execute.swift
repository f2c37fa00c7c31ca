import TxnKit

extension RESPDataOp {
    /// Runs the op in a transaction (`access`) and returns its reply. Logical failures (not an
    /// integer, overflow) are replies and leave the transaction usable; database errors are
    /// thrown (and have aborted the transaction).
    func execute(on access: some RESPKeyAccess, context: RESPServerContext) async throws -> RESPValue {
        switch self {
        case .get(let key):
            return try access.get(key).map(RESPValue.bulkString) ?? .null
        case .set(let key, let value, let condition, let returnOld, let style):
            var old: [UInt8]?
            if condition != .always || returnOld { old = try await access.getForUpdate(key) }
            let allowed = switch condition {
            case .always: true
            case .ifAbsent: old == nil
            case .ifPresent: old != nil
            }
            if allowed { try await access.put(key, value) }
            if style == .setnx { return .integer(allowed ? 1 : 0) }
            if returnOld { return old.map(RESPValue.bulkString) ?? .null }
            return allowed ? .ok : .null
        case .getDelete(let key):
            guard let old = try await access.getForUpdate(key) else { return .null }
            try await access.delete(key)
            return .bulkString(old)
        case .delete(let keys):
            var deleted: Int64 = 0
            var seen = Set<[UInt8]>()
            for key in keys where seen.insert(key).inserted {
                if try await access.getForUpdate(key) != nil {
                    try await access.delete(key)
                    deleted += 1
                }
            }
            return .integer(deleted)
        case .exists(let keys):
            // One batched read: all keys at one snapshot, as MGET (a repeated key counts again).
            return .integer(Int64(try access.get(keys).count { $0 != nil }))
        case .mget(let keys):
            return .array(try access.get(keys).map { $0.map(RESPValue.bulkString) ?? .null })
        case .mset(let pairs):
            var index = 0
            while index + 1 < pairs.count {
                try await access.put(pairs[index], pairs[index + 1])
                index += 2
            }
            return .ok
        case .incrementBy(let key, let amount):
            let current: Int64
            if let old = try await access.getForUpdate(key) {
                guard let number = RESPInteger.parse(old) else { return .notInteger }
                current = number
            } else {
                current = 0
            }
            let (sum, overflow) = current.addingReportingOverflow(amount)
            if overflow { return .overflow }
            try await access.put(key, RESPInteger.bytes(sum))
            return .integer(sum)
        case .append(let key, let suffix):
            let combined = (try await access.getForUpdate(key) ?? []) + suffix
            guard combined.count <= context.options.maxBulkLength else {
                return .error("ERR string exceeds maximum allowed size (\(context.options.maxBulkLength) bytes)")
            }
            try await access.put(key, combined)
            return .integer(Int64(combined.count))
        case .strlen(let key):
            return .integer(Int64(try access.get(key)?.count ?? 0))
        case .type(let key):
            return .simpleString(try access.get(key) == nil ? "none" : "string")
        case .keys(let glob):
            let limit = context.options.maxArrayLength
            let pairs = try access.scan(.prefix(glob.literalPrefix), limit: limit + 1)
            return Self.keysReply(pairs.lazy.map(\.key), glob: glob, limit: limit)
        case .scan(let query):
            return try query.run(cursors: context.cursors) { try access.scan($0, limit: $1).map(\.key) }
        case .dbsize:
            // Counts the earlier writes of this pipeline or MULTI, as GET and EXISTS see them.
            return .integer(Int64(try access.liveKeyCount()))
        case .info(let request, _):
            return context.introspectionReply(request, liveKeys: try access.liveKeyCount())
        case .reply(let reply):
            return reply
        }
    }

    static func keysReply(_ keys: some Collection<[UInt8]>, glob: RESPGlob, limit: Int) -> RESPValue {
        guard keys.count <= limit else {
            return .error("ERR KEYS would examine more than \(limit) keys; use SCAN")
        }
        return .array(keys.filter(glob.matches).map(RESPValue.bulkString))
    }
}
