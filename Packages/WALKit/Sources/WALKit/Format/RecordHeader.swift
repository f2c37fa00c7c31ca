import MantisCore

/// The 32-byte header in front of every record's payload.
///
/// ```
/// 0  u32 checksum of bytes 4..<record size (header rest, payload, padding)
/// 4  u32 payload length       8  u64 LSN             16 u64 transaction id
/// 24 u8  kind (never 0)       25 u8 flags (0)         26 u16 reserved (0)
/// 28 u32 sync lag: LSN − (the log's durable LSN when the record was written), saturating
/// ```
/// The sync lag tells recovery whether damage before this record can be a torn write: if this
/// record was written after the damaged one was already durable, the damage is corruption.
public struct RecordHeader: Sendable, Hashable {
    public var checksum: UInt32
    public var payloadLength: Int
    public var lsn: LSN
    public var transactionID: TransactionID
    public var kind: WALRecordKind
    public var flags: UInt8
    public var reserved: UInt16
    public var syncLag: UInt32

    /// Bytes the whole record occupies, padding included.
    public var recordSize: Int { WALFormat.recordSize(payloadLength: payloadLength) }

    /// The durable LSN of the log at the moment this record was written (a lower bound).
    public var durableLSNAtWrite: LSN {
        LSN(lsn.rawValue >= UInt64(syncLag) ? lsn.rawValue - UInt64(syncLag) : 0)
    }

    /// Reads the header fields at `offset` without validating anything. Needs 32 bytes.
    @inline(__always)
    static func load(from raw: UnsafeRawBufferPointer, at offset: Int) -> RecordHeader {
        RecordHeader(
            checksum: raw.loadLittleEndian(UInt32.self, at: offset),
            payloadLength: Int(raw.loadLittleEndian(UInt32.self, at: offset + 4)),
            lsn: LSN(raw.loadLittleEndian(UInt64.self, at: offset + 8)),
            transactionID: TransactionID(raw.loadLittleEndian(UInt64.self, at: offset + 16)),
            kind: WALRecordKind(rawValue: raw[offset + 24]),
            flags: raw[offset + 25],
            reserved: raw.loadLittleEndian(UInt16.self, at: offset + 26),
            syncLag: raw.loadLittleEndian(UInt32.self, at: offset + 28)
        )
    }

    /// True if all 32 header bytes at `offset` are zero: end of log in zero-filled space.
    @inline(__always)
    static func isZero(_ raw: UnsafeRawBufferPointer, at offset: Int) -> Bool {
        raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self) == 0
            && raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self) == 0
            && raw.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self) == 0
            && raw.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self) == 0
    }

    /// Field sanity that needs no payload: a non-zero kind, zero flags and reserved bits.
    var hasPlausibleFields: Bool {
        kind.rawValue != 0 && flags == 0 && reserved == 0 && lsn != .zero
    }
}

extension RecordHeader {
    /// Appends one encoded record (header, payload, zero padding) to `buffer`, checksummed.
    static func encode(
        lsn: LSN,
        record: WALRecord,
        syncLag: UInt32,
        checksum: any ChecksumAlgorithm,
        into buffer: inout [UInt8]
    ) {
        let start = buffer.count
        let size = WALFormat.recordSize(payloadLength: record.payload.count)
        buffer.appendLittleEndian(UInt32(0))
        buffer.appendLittleEndian(UInt32(record.payload.count))
        buffer.appendLittleEndian(lsn.rawValue)
        buffer.appendLittleEndian(record.transactionID.rawValue)
        buffer.append(record.kind.rawValue)
        buffer.append(0)
        buffer.appendLittleEndian(UInt16(0))
        buffer.appendLittleEndian(syncLag)
        buffer.append(contentsOf: record.payload)
        let padding = size - WALFormat.recordHeaderSize - record.payload.count
        if padding > 0 { buffer.append(contentsOf: repeatElement(0, count: padding)) }
        buffer.withUnsafeMutableBytes { raw in
            let covered = UnsafeRawBufferPointer(rebasing: raw[(start + 4)..<(start + size)])
            raw.storeLittleEndian(checksum.checksum(covered), at: start)
        }
    }
}
