import MantisCore

/// A transaction's buffered writes: the last write to a key wins; a nil value is a delete.
/// Kept in first-write order so the log and the install see a deterministic order.
public struct WriteSet: Sendable, Hashable {
    private(set) var order: [[UInt8]] = []
    private(set) var values: [KeyBytes: [UInt8]?] = [:]

    public init() {}

    public var isEmpty: Bool { order.isEmpty }
    public var count: Int { order.count }

    /// Records a put (`value`) or a delete (nil).
    public mutating func set(_ key: [UInt8], _ value: [UInt8]?) {
        if values.updateValue(value, forKey: KeyBytes(key)) == nil { order.append(key) }
    }

    /// `.some(value)` if this transaction wrote the key (value nil for a delete), nil if it did not.
    public func lookup(_ key: [UInt8]) -> [UInt8]?? {
        values[KeyBytes(key)]
    }

    /// The writes in first-write order.
    public var writes: [(key: [UInt8], value: [UInt8]?)] {
        order.map { ($0, values[KeyBytes($0)]!) }
    }

    /// Bytes of keys and values (for limits).
    public var byteCount: Int {
        values.reduce(0) { $0 + $1.key.bytes.count + ($1.value?.count ?? 0) }
    }
}
