import TxnKit

/// What a data op needs from the database: a transaction's view. `Transaction` has exactly
/// these (reads see the transaction's own writes; any error aborts it).
protocol RESPKeyAccess: Sendable {
    func get(_ key: [UInt8]) async throws -> [UInt8]?
    func put(_ key: [UInt8], _ value: [UInt8]) async throws
    func delete(_ key: [UInt8]) async throws
    func scan(_ range: KeyRange, limit: Int?) async throws -> [(key: [UInt8], value: [UInt8])]
}

extension Transaction: RESPKeyAccess {}
