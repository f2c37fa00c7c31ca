import CZlib
import MantisCore

/// CRC-32 (ISO-HDLC, the zlib/gzip/PNG polynomial) on system zlib's `crc32`, which is
/// table- or instruction-accelerated in zlib ≥ 1.2.12.
///
/// Guarantees: the zlib value (`"123456789"` → `0xCBF43926`); incremental
/// (`update(update(0, a), b) == update(0, a + b)`); updating over an empty buffer returns the
/// checksum unchanged; buffers of any length, including over 4 GiB, are handled.
public struct CRC32Checksum: ChecksumAlgorithm {
    /// zlib's `crc32` takes a 32-bit length: longer buffers are fed in chunks of this size.
    static let chunkSize = 1 << 30

    public init() {}

    public var name: String { "crc32" }
    public var identifier: UInt8 { ChecksumIdentifier.crc32 }

    public func update(_ checksum: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        update(checksum, bytes, chunkSize: Self.chunkSize)
    }

    /// `update` feeding zlib at most `chunkSize` bytes per call (small sizes test the chunking).
    func update(_ checksum: UInt32, _ bytes: UnsafeRawBufferPointer, chunkSize: Int) -> UInt32 {
        precondition(chunkSize > 0 && chunkSize <= Int(UInt32.max))
        // zlib returns the initial value for a NULL buffer, so an empty one must not reach it.
        guard let base = bytes.baseAddress, bytes.count > 0 else { return checksum }
        var crc = uLong(checksum)
        var offset = 0
        while offset < bytes.count {
            let length = min(chunkSize, bytes.count - offset)
            crc = crc32(crc, (base + offset).assumingMemoryBound(to: Bytef.self), uInt(length))
            offset += length
        }
        return UInt32(truncatingIfNeeded: crc)
    }
}
