/// A transaction's identifier: unique and increasing across restarts. `TransactionID.none`
/// (0) marks records that belong to no transaction.
public struct TransactionID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ value: UInt64) { self.rawValue = value }
    public init(integerLiteral value: UInt64) { self.rawValue = value }

    public static let none = TransactionID(0)

    public var next: TransactionID { TransactionID(rawValue + 1) }

    public static func < (lhs: TransactionID, rhs: TransactionID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "T\(rawValue)" }
}
