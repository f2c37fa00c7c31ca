import MantisCore

/// The 64-byte header at the start of every segment.
///
/// ```
/// 0   u64 magic "MANTISWL"      8  u32 format version     12 u32 header size (64)
/// 16  u64 segment first LSN     24 u64 created at (ns since epoch)
/// 32  u64 first LSN of the previous segment (0 if none): a removed middle segment breaks the chain
/// 40  u8  checksum algorithm id 41..43 zero               44 u32 sync alignment (bytes)
/// 48..59 zero                                              60 u32 CRC-32 (zlib) of bytes 0..<60
/// ```
/// Sync alignment: after every sync the writer continues at the next multiple of this many
/// bytes, so no write ever touches a disk sector that holds synced records.
/// The header checksum is always zlib CRC-32 (computed in software here), so a header can be
/// verified before the record checksum algorithm it names is known.
public struct SegmentHeader: Sendable, Hashable {
    public var firstLSN: LSN
    public var createdAtNanoseconds: UInt64
    public var previousFirstLSN: LSN
    public var checksumIdentifier: UInt8
    public var syncAlignment: Int

    public init(firstLSN: LSN, createdAtNanoseconds: UInt64, previousFirstLSN: LSN, checksumIdentifier: UInt8, syncAlignment: Int) {
        self.firstLSN = firstLSN
        self.createdAtNanoseconds = createdAtNanoseconds
        self.previousFirstLSN = previousFirstLSN
        self.checksumIdentifier = checksumIdentifier
        self.syncAlignment = syncAlignment
    }

    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(WALFormat.segmentHeaderSize)
        bytes.appendLittleEndian(WALFormat.segmentMagic)
        bytes.appendLittleEndian(WALFormat.formatVersion)
        bytes.appendLittleEndian(UInt32(WALFormat.segmentHeaderSize))
        bytes.appendLittleEndian(firstLSN.rawValue)
        bytes.appendLittleEndian(createdAtNanoseconds)
        bytes.appendLittleEndian(previousFirstLSN.rawValue)
        bytes.append(checksumIdentifier)
        bytes.append(contentsOf: [0, 0, 0])
        bytes.appendLittleEndian(UInt32(syncAlignment))
        bytes.append(contentsOf: repeatElement(0, count: 60 - bytes.count))
        bytes.appendLittleEndian(SoftwareCRC32.checksum(bytes))
        return bytes
    }

    /// Decodes and verifies a header; throws `corruption` or `unsupportedFormat` naming `file`.
    public static func decode(_ bytes: [UInt8], file: String) throws -> SegmentHeader {
        func fail(_ code: MantisError.Code, _ message: String, offset: Int64 = 0) -> MantisError {
            MantisError(code, message, context: ErrorContext(operation: "read segment header", file: file, offset: offset))
        }
        guard bytes.count >= WALFormat.segmentHeaderSize else {
            throw fail(.corruption, "segment header truncated: \(bytes.count) of \(WALFormat.segmentHeaderSize) bytes")
        }
        return try bytes.withUnsafeBytes { raw in
            let magic = raw.loadLittleEndian(UInt64.self, at: 0)
            guard magic == WALFormat.segmentMagic else {
                throw fail(.corruption, "not a MantisDB WAL segment: bad magic 0x\(String(magic, radix: 16))")
            }
            let stored = raw.loadLittleEndian(UInt32.self, at: 60)
            let actual = SoftwareCRC32.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<60]))
            guard stored == actual else {
                throw fail(.corruption, "segment header checksum mismatch: stored 0x\(String(stored, radix: 16)), computed 0x\(String(actual, radix: 16))", offset: 60)
            }
            let version = raw.loadLittleEndian(UInt32.self, at: 8)
            guard version == WALFormat.formatVersion else {
                throw fail(.unsupportedFormat, "segment format version \(version) is not supported (this build reads \(WALFormat.formatVersion))", offset: 8)
            }
            let headerSize = raw.loadLittleEndian(UInt32.self, at: 12)
            guard headerSize == UInt32(WALFormat.segmentHeaderSize) else {
                throw fail(.corruption, "segment header size \(headerSize), expected \(WALFormat.segmentHeaderSize)", offset: 12)
            }
            let alignment = Int(raw.loadLittleEndian(UInt32.self, at: 44))
            guard alignment >= WALFormat.recordAlignment, alignment <= WALFormat.maximumSyncAlignment, alignment & (alignment - 1) == 0 else {
                throw fail(.corruption, "segment header sync alignment \(alignment) is not a power of two between \(WALFormat.recordAlignment) and \(WALFormat.maximumSyncAlignment)", offset: 44)
            }
            return SegmentHeader(
                firstLSN: LSN(raw.loadLittleEndian(UInt64.self, at: 16)),
                createdAtNanoseconds: raw.loadLittleEndian(UInt64.self, at: 24),
                previousFirstLSN: LSN(raw.loadLittleEndian(UInt64.self, at: 32)),
                checksumIdentifier: raw[40],
                syncAlignment: alignment
            )
        }
    }
}
