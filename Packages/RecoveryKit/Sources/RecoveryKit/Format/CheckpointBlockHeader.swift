import MantisCore

/// The 24-byte header in front of each block's stored bytes.
///
/// ```
/// 0  u32 marker "CBLK"          4  u32 block number (0, 1, 2, … in file order)
/// 8  u32 entry count (≥ 1)      12 u32 uncompressed length U (≤ 64 MiB)
/// 16 u32 stored length C (the codec's output, ≤ 64 MiB + 4 MiB + 1 KiB)
/// 20 u32 block checksum: the header's algorithm over bytes 0..<20 of this header, then the C stored bytes
/// ```
/// The checksum covers the stored (compressed) bytes, so a block is verified before its bytes
/// reach the codec.
struct CheckpointBlockHeader: Sendable, Hashable {
    var blockNumber: UInt32
    var entryCount: UInt32
    var uncompressedLength: Int
    var storedLength: Int
    var checksum: UInt32

    /// The first 20 bytes (what the block checksum covers before the stored bytes).
    static func encodedFields(blockNumber: UInt32, entryCount: UInt32, uncompressedLength: Int, storedLength: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(CheckpointFormat.blockHeaderSize)
        bytes.appendLittleEndian(CheckpointFormat.blockMarker)
        bytes.appendLittleEndian(blockNumber)
        bytes.appendLittleEndian(entryCount)
        bytes.appendLittleEndian(UInt32(uncompressedLength))
        bytes.appendLittleEndian(UInt32(storedLength))
        return bytes
    }

    /// Reads the fields of a 24-byte block header without validating anything.
    static func load(_ raw: UnsafeRawBufferPointer) -> (marker: UInt32, header: CheckpointBlockHeader) {
        (raw.loadLittleEndian(UInt32.self, at: 0),
         CheckpointBlockHeader(
            blockNumber: raw.loadLittleEndian(UInt32.self, at: 4),
            entryCount: raw.loadLittleEndian(UInt32.self, at: 8),
            uncompressedLength: Int(raw.loadLittleEndian(UInt32.self, at: 12)),
            storedLength: Int(raw.loadLittleEndian(UInt32.self, at: 16)),
            checksum: raw.loadLittleEndian(UInt32.self, at: 20)))
    }
}
