import TxnKit

/// What a data op needs from the database: a transaction's view. `Transaction` has exactly
/// these (reads see the transaction's own writes and never wait; any error aborts it).
protocol RESPKeyAccess: Sendable {
    func get(_ key: [UInt8]) throws -> [UInt8]?
    /// `get` of each key, read as one batch.
    func get(_ keys: [[UInt8]]) throws -> [[UInt8]?]
    /// The write lock on `key` before a read-modify-write of it: no one else commits it until
    /// this transaction ends, so the read sees the latest committed value and the update is
    /// never lost (and at read committed never refused).
    func lockForUpdate(_ key: [UInt8]) async throws
    func put(_ key: [UInt8], _ value: [UInt8]) async throws
    func delete(_ key: [UInt8]) async throws
    func scan(_ range: KeyRange, limit: Int?) throws -> [(key: [UInt8], value: [UInt8])]
    /// The live keys with this transaction's own pending creates and deletes counted in.
    func liveKeyCount() throws -> Int
}

extension Transaction: RESPKeyAccess {}

extension RESPKeyAccess {
    /// The value of `key` read under its write lock (`lockForUpdate`, then `get`): the read of
    /// a read-modify-write.
    func getForUpdate(_ key: [UInt8]) async throws -> [UInt8]? {
        try await lockForUpdate(key)
        return try get(key)
    }
}
