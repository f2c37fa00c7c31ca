/// A key as a dictionary or set key: hashes its bytes in one call (an `[UInt8]` hashes element
/// by element, several times slower on the commit path).
public struct KeyBytes: Hashable, Sendable {
    public let bytes: [UInt8]

    @inlinable
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    @inlinable
    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    @inlinable
    public static func == (lhs: KeyBytes, rhs: KeyBytes) -> Bool { lhs.bytes == rhs.bytes }
}
