#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte-string helpers of the MVCC store: the key order and the key hash.
///
/// The order is lexicographic over unsigned bytes (memcmp), a proper prefix sorting first:
/// `[] < [0x00] < [0x00, 0x00] < [0x01] < [0xFF]`.
enum MVCCBytes {
    /// Negative, zero or positive as `a` sorts before, equal to or after `b`.
    @inline(__always)
    static func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        a.withUnsafeBufferPointer { left in
            b.withUnsafeBufferPointer { right in
                let common = Swift.min(left.count, right.count)
                if common > 0 {
                    let order = memcmp(left.baseAddress!, right.baseAddress!, common)
                    if order != 0 { return Int(order) }
                }
                return left.count - right.count
            }
        }
    }

    @inline(__always)
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.count == b.count && compare(a, b) == 0
    }

    /// A hash of `key` for the point-lookup index: SipHash via the standard library's `Hasher`,
    /// randomly seeded per process, so crafted keys cannot flood one hash chain.
    @inline(__always)
    static func hash(_ key: [UInt8]) -> Int {
        var hasher = Hasher()
        key.withUnsafeBytes { hasher.combine(bytes: $0) }
        return hasher.finalize()
    }
}
