import CCRC32C
import MantisCore

/// CRC-32C (Castagnoli, as in iSCSI, ext4 and RocksDB), using the CPU's CRC-32C instructions
/// (SSE4.2 on x86-64, detected at run time) when present and a slicing-by-8 table otherwise.
///
/// Guarantees: the standard value (`"123456789"` → `0xE3069283`) from either implementation;
/// incremental (`update(update(0, a), b) == update(0, a + b)`); an empty buffer leaves the
/// checksum unchanged; safe to call from any thread.
public struct CRC32CChecksum: ChecksumAlgorithm {
    /// Which code computes the checksum. Both give identical results.
    public enum Implementation: Sendable, Hashable {
        /// CPU instructions when this machine has them, else the table code.
        case automatic
        /// Always the portable table code (for tests and comparisons).
        case software
    }

    public let implementation: Implementation

    public init(implementation: Implementation = .automatic) {
        self.implementation = implementation
    }

    /// True if `.automatic` uses CPU CRC-32C instructions on this machine.
    public static var isHardwareAccelerated: Bool { mantis_crc32c_hardware_available() != 0 }

    public var name: String { "crc32c" }
    public var identifier: UInt8 { ChecksumIdentifier.crc32c }

    public func update(_ checksum: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        switch implementation {
        case .automatic: mantis_crc32c_update(checksum, bytes.baseAddress, bytes.count)
        case .software: mantis_crc32c_update_software(checksum, bytes.baseAddress, bytes.count)
        }
    }
}
