/// A 32-bit checksum over bytes, incremental like zlib's `crc32(crc, buf, len)`:
/// `update(update(0, a), b) == update(0, a + b)`.
///
/// Implementations live in IntegrityKit (`crc32` on system zlib, `crc32c`); files record the
/// `identifier` of the algorithm that wrote them, so a configuration change never makes
/// existing files unreadable.
public protocol ChecksumAlgorithm: Sendable {
    /// The registry name (`crc32`, `crc32c`).
    var name: String { get }
    /// The byte recorded in file headers.
    var identifier: UInt8 { get }
    /// Extends `checksum` (0 to start) over `bytes`.
    func update(_ checksum: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32
}

extension ChecksumAlgorithm {
    public func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        update(0, bytes)
    }

    public func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { update(0, $0) }
    }

    public func update(_ checksum: UInt32, _ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { update(checksum, $0) }
    }
}

/// The identifiers recorded in file headers for each checksum algorithm.
public enum ChecksumIdentifier {
    public static let crc32: UInt8 = 1
    public static let crc32c: UInt8 = 2
}
