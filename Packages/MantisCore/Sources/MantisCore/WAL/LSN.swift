/// A log sequence number: the position of a record in the write-ahead log.
/// Consecutive records have consecutive LSNs; LSNs strictly increase across restarts and are
/// never reused. The first record has LSN 1; `LSN.zero` means "none".
public struct LSN: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ value: UInt64) { self.rawValue = value }
    public init(integerLiteral value: UInt64) { self.rawValue = value }

    public static let zero = LSN(0)

    public var next: LSN { LSN(rawValue + 1) }
    public var previous: LSN { LSN(rawValue == 0 ? 0 : rawValue - 1) }

    public static func < (lhs: LSN, rhs: LSN) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}
