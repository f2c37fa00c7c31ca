import MantisCore

/// A range of keys in the store's order (unsigned bytes, lexicographic, shorter prefix first):
/// `lower` is inclusive, `upper` exclusive, and either may be open (`nil`).
public struct KeyRange: Sendable, Hashable, CustomStringConvertible {
    /// The smallest key in the range; `nil` = no lower bound.
    public var lower: [UInt8]?
    /// The first key past the range; `nil` = no upper bound.
    public var upper: [UInt8]?

    public init(lower: [UInt8]? = nil, upper: [UInt8]? = nil) {
        self.lower = lower
        self.upper = upper
    }

    /// Every key.
    public static let all = KeyRange()

    /// The keys `>= lower` and `< upper`.
    public init(_ lower: [UInt8], _ upper: [UInt8]) {
        self.init(lower: lower, upper: upper)
    }

    /// Every key starting with `prefix` (all keys for an empty prefix).
    public static func prefix(_ prefix: [UInt8]) -> KeyRange {
        KeyRange(lower: prefix.isEmpty ? nil : prefix, upper: successor(ofPrefix: prefix))
    }

    /// Just `key`.
    public static func exactly(_ key: [UInt8]) -> KeyRange {
        KeyRange(lower: key, upper: key + [0])
    }

    /// The keys `>= key`.
    public static func from(_ key: [UInt8]) -> KeyRange { KeyRange(lower: key) }

    /// The keys `< key`.
    public static func below(_ key: [UInt8]) -> KeyRange { KeyRange(upper: key) }

    /// True if no key can lie in the range.
    public var isEmpty: Bool {
        guard let lower, let upper else { return false }
        return MVCCBytes.compare(lower, upper) >= 0
    }

    public func contains(_ key: [UInt8]) -> Bool {
        if let lower, MVCCBytes.compare(key, lower) < 0 { return false }
        if let upper, MVCCBytes.compare(key, upper) >= 0 { return false }
        return true
    }

    /// True if the key of `entry` is at or past the upper bound.
    @inline(__always)
    func isPastUpper(_ entry: MVCCKeyEntry) -> Bool {
        guard let upper else { return false }
        return entry.compareKey(to: upper) >= 0
    }

    /// The smallest key greater than every key starting with `prefix`, or `nil` if there is
    /// none (the prefix is empty or all `0xFF`).
    static func successor(ofPrefix prefix: [UInt8]) -> [UInt8]? {
        var bound = prefix
        while let last = bound.last {
            if last < 0xFF {
                bound[bound.count - 1] = last + 1
                return bound
            }
            bound.removeLast()
        }
        return nil
    }

    public var description: String {
        let low = lower.map(ErrorContext.render) ?? "-∞"
        let high = upper.map(ErrorContext.render) ?? "+∞"
        return "[\(low), \(high))"
    }
}
