import MantisCore

/// The 64-byte footer that ends every checkpoint file, at offset F = file size − 64.
///
/// ```
/// 0  u64 magic "MCKPTEND"      8  u64 entry count          16 u64 block count
/// 24 u64 uncompressed bytes (sum of the blocks' uncompressed lengths)
/// 32 u64 footer offset F        40 u64 LSN (the header's)   48 u64 zero
/// 56 u32 whole-file checksum: the header's algorithm over bytes 0..<F+56 (all bytes before it)
/// 60 u32 CRC-32 (zlib polynomial) of footer bytes 0..<60
/// ```
/// The footer is last, so a file cut anywhere has no valid footer at its end; its own CRC lets a
/// reader trust the counts before reading any block.
public struct CheckpointFooter: Sendable, Hashable {
    public var entryCount: UInt64
    public var blockCount: UInt64
    public var uncompressedBytes: UInt64
    public var footerOffset: Int64
    public var lsn: LSN
    public var wholeFileChecksum: UInt32

    public init(entryCount: UInt64, blockCount: UInt64, uncompressedBytes: UInt64, footerOffset: Int64, lsn: LSN, wholeFileChecksum: UInt32) {
        self.entryCount = entryCount
        self.blockCount = blockCount
        self.uncompressedBytes = uncompressedBytes
        self.footerOffset = footerOffset
        self.lsn = lsn
        self.wholeFileChecksum = wholeFileChecksum
    }

    /// The footer's first 56 bytes: everything the whole-file checksum still covers.
    static func encodedFields(entryCount: UInt64, blockCount: UInt64, uncompressedBytes: UInt64, footerOffset: Int64, lsn: LSN) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(CheckpointFormat.footerSize)
        bytes.appendLittleEndian(CheckpointFormat.footerMagic)
        bytes.appendLittleEndian(entryCount)
        bytes.appendLittleEndian(blockCount)
        bytes.appendLittleEndian(uncompressedBytes)
        bytes.appendLittleEndian(UInt64(footerOffset))
        bytes.appendLittleEndian(lsn.rawValue)
        bytes.appendLittleEndian(UInt64(0))
        return bytes
    }

    /// `fields` (from `encodedFields`) completed with the whole-file checksum and the footer CRC.
    static func complete(_ fields: [UInt8], wholeFileChecksum: UInt32) -> [UInt8] {
        var bytes = fields
        bytes.appendLittleEndian(wholeFileChecksum)
        bytes.appendLittleEndian(HeaderCRC32.checksum(bytes[...]))
        return bytes
    }

    /// Decodes and verifies the footer read at `offset` (the file size − 64). Throws `corruption`
    /// naming `file` and the offset of the bad field (a truncated or extended file has no footer
    /// magic there).
    static func decode(_ bytes: [UInt8], at offset: Int64, file: String) throws -> CheckpointFooter {
        func corrupt(_ message: String, _ field: Int) -> MantisError {
            CheckpointError.corruption(message, file: file, offset: offset + Int64(field), operation: "read checkpoint footer")
        }
        guard bytes.count == CheckpointFormat.footerSize else {
            throw corrupt("checkpoint footer truncated: \(bytes.count) of \(CheckpointFormat.footerSize) bytes", 0)
        }
        return try bytes.withUnsafeBytes { raw in
            let magic = raw.loadLittleEndian(UInt64.self, at: 0)
            guard magic == CheckpointFormat.footerMagic else {
                throw corrupt("no checkpoint footer at the end of the file (bad footer magic \(CheckpointError.hex(magic))): the file is truncated, extended or damaged", 0)
            }
            let stored = raw.loadLittleEndian(UInt32.self, at: 60)
            let actual = HeaderCRC32.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<60]))
            guard stored == actual else {
                throw corrupt("checkpoint footer checksum mismatch: stored \(CheckpointError.hex(stored)), computed \(CheckpointError.hex(actual))", 60)
            }
            let recordedOffset = raw.loadLittleEndian(UInt64.self, at: 32)
            guard recordedOffset == UInt64(offset) else {
                throw corrupt("the footer says it starts at offset \(recordedOffset), but it is at \(offset): the file was cut or extended", 32)
            }
            guard raw.loadLittleEndian(UInt64.self, at: 48) == 0 else { throw corrupt("checkpoint footer bytes 48..<56 are not zero", 48) }
            return CheckpointFooter(
                entryCount: raw.loadLittleEndian(UInt64.self, at: 8),
                blockCount: raw.loadLittleEndian(UInt64.self, at: 16),
                uncompressedBytes: raw.loadLittleEndian(UInt64.self, at: 24),
                footerOffset: offset,
                lsn: LSN(raw.loadLittleEndian(UInt64.self, at: 40)),
                wholeFileChecksum: raw.loadLittleEndian(UInt32.self, at: 56))
        }
    }
}
