#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte-wise lexicographic key order (the order of the store's ordered index): a shorter key
/// that is a prefix of a longer one sorts first.
enum KeyOrder {
    /// True if `a` sorts strictly before `b`.
    @inline(__always)
    static func precedes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        let common = min(a.count, b.count)
        if common > 0 {
            let result = memcmp(a.baseAddress!, b.baseAddress!, common)
            if result != 0 { return result < 0 }
        }
        return a.count < b.count
    }
}
