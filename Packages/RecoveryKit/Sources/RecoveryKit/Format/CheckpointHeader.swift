import MantisCore

/// The 64-byte header at offset 0 of every checkpoint file.
///
/// ```
/// 0   u64 magic "MANTISCK"        8  u32 format version (1)    12 u32 header size (64)
/// 16  u64 LSN of the snapshot     24 u64 next transaction id
/// 32  u64 created at (ns since the Unix epoch)
/// 40  u8  codec id                41 u8  checksum algorithm id  42 u16 zero
/// 44  u32 target block size (uncompressed bytes, 1 … 64 MiB)
/// 48..59 zero                     60 u32 CRC-32 (zlib polynomial) of bytes 0..<60
/// ```
/// The header CRC is always zlib CRC-32 computed in software, so a damaged codec or algorithm
/// byte reads as corruption rather than as an unsupported format.
public struct CheckpointHeader: Sendable, Hashable {
    public var lsn: LSN
    public var nextTransactionID: TransactionID
    public var createdAtNanoseconds: UInt64
    public var codecIdentifier: UInt8
    public var checksumIdentifier: UInt8
    public var blockSize: Int

    public init(lsn: LSN, nextTransactionID: TransactionID, createdAtNanoseconds: UInt64,
                codecIdentifier: UInt8, checksumIdentifier: UInt8, blockSize: Int) {
        self.lsn = lsn
        self.nextTransactionID = nextTransactionID
        self.createdAtNanoseconds = createdAtNanoseconds
        self.codecIdentifier = codecIdentifier
        self.checksumIdentifier = checksumIdentifier
        self.blockSize = blockSize
    }

    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(CheckpointFormat.headerSize)
        bytes.appendLittleEndian(CheckpointFormat.magic)
        bytes.appendLittleEndian(CheckpointFormat.formatVersion)
        bytes.appendLittleEndian(UInt32(CheckpointFormat.headerSize))
        bytes.appendLittleEndian(lsn.rawValue)
        bytes.appendLittleEndian(nextTransactionID.rawValue)
        bytes.appendLittleEndian(createdAtNanoseconds)
        bytes.append(codecIdentifier)
        bytes.append(checksumIdentifier)
        bytes.appendLittleEndian(UInt16(0))
        bytes.appendLittleEndian(UInt32(blockSize))
        bytes.append(contentsOf: repeatElement(0, count: 60 - bytes.count))
        bytes.appendLittleEndian(HeaderCRC32.checksum(bytes[...]))
        return bytes
    }

    /// Decodes and verifies a header (`bytes` is what the file holds at offset 0, at most 64 bytes).
    /// Throws `corruption` (bad magic, checksum, size or reserved bytes, truncation) or
    /// `unsupportedFormat` (another format version), naming `file` and the offset of the field.
    /// Codec and checksum identifiers are checked by the reader, which knows what is available.
    public static func decode(_ bytes: [UInt8], file: String) throws -> CheckpointHeader {
        func corrupt(_ message: String, _ offset: Int64) -> MantisError {
            CheckpointError.corruption(message, file: file, offset: offset, operation: "read checkpoint header")
        }
        guard bytes.count >= CheckpointFormat.headerSize else {
            throw corrupt("checkpoint header truncated: the file holds \(bytes.count) of its \(CheckpointFormat.headerSize) bytes", 0)
        }
        return try bytes.withUnsafeBytes { raw in
            let magic = raw.loadLittleEndian(UInt64.self, at: 0)
            guard magic == CheckpointFormat.magic else {
                throw corrupt("not a MantisDB checkpoint: bad magic \(CheckpointError.hex(magic))", 0)
            }
            let stored = raw.loadLittleEndian(UInt32.self, at: 60)
            let actual = HeaderCRC32.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<60]))
            let version = raw.loadLittleEndian(UInt32.self, at: 8)
            guard stored == actual else {
                throw corrupt("checkpoint header checksum mismatch: stored \(CheckpointError.hex(stored)), computed \(CheckpointError.hex(actual)) (format version field reads \(version))", 60)
            }
            guard version == CheckpointFormat.formatVersion else {
                throw CheckpointError.unsupported(
                    "checkpoint format version \(version) is not supported (this build reads \(CheckpointFormat.formatVersion))",
                    file: file, offset: 8)
            }
            let headerSize = raw.loadLittleEndian(UInt32.self, at: 12)
            guard headerSize == UInt32(CheckpointFormat.headerSize) else {
                throw corrupt("checkpoint header size \(headerSize), expected \(CheckpointFormat.headerSize)", 12)
            }
            guard raw.loadLittleEndian(UInt16.self, at: 42) == 0 else { throw corrupt("checkpoint header bytes 42..<44 are not zero", 42) }
            for offset in 48..<60 where raw[offset] != 0 {
                throw corrupt("checkpoint header reserved byte \(offset) is not zero", Int64(offset))
            }
            let blockSize = Int(raw.loadLittleEndian(UInt32.self, at: 44))
            guard blockSize >= 1, blockSize <= CheckpointFormat.maximumBlockSize else {
                throw corrupt("checkpoint block size \(blockSize) is outside 1…\(CheckpointFormat.maximumBlockSize)", 44)
            }
            return CheckpointHeader(
                lsn: LSN(raw.loadLittleEndian(UInt64.self, at: 16)),
                nextTransactionID: TransactionID(raw.loadLittleEndian(UInt64.self, at: 24)),
                createdAtNanoseconds: raw.loadLittleEndian(UInt64.self, at: 32),
                codecIdentifier: raw[40],
                checksumIdentifier: raw[41],
                blockSize: blockSize)
        }
    }
}
