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
    static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let common = Swift.min(a.count, b.count)
        if common > 0 {
            let order = memcmp(a.baseAddress!, b.baseAddress!, common)
            if order != 0 { return Int(order) }
        }
        return a.count - b.count
    }

    @inline(__always)
    static func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        a.withUnsafeBytes { a in b.withUnsafeBytes { b in compare(a, b) } }
    }

    @inline(__always)
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.withUnsafeBytes { a in b.withUnsafeBytes { b in equal(a, b) } }
    }

    /// True if `a` and `b` hold the same bytes. Keys of 8 to 16 bytes (the common case) are
    /// compared with two overlapping word loads each, without a call to `memcmp`.
    @inline(__always)
    static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        let count = a.count
        guard count == b.count else { return false }
        if count >= 8 && count <= 16 {
            return a.loadUnaligned(as: UInt64.self) == b.loadUnaligned(as: UInt64.self)
                && a.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self) == b.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        }
        return compare(a, b) == 0
    }

    /// A hash of `key` for the point-lookup index: SipHash-1-3 (what the standard library's
    /// `Hasher` computes) under a key drawn at random per process, so crafted keys cannot flood
    /// one probe run; without `Hasher`'s streaming state, which cost a point read about 5 %.
    @inline(__always)
    static func hash(_ key: [UInt8]) -> Int {
        key.withUnsafeBytes { hash($0) }
    }

    @inline(__always)
    static func hash(_ key: UnsafeRawBufferPointer) -> Int {
        Int(truncatingIfNeeded: hashKey.hash(key))
    }

    private static let hashKey = SipHash13.randomKey()
}
