import MantisCore

/// How a transaction's writes are stored in the WAL.
///
/// A committed transaction is one or more records with its transaction id: zero or more
/// `writeBatch` records, then exactly one `commit` record; each carries a slice of the write set.
/// Only the `commit` record makes the writes take effect, at the commit record's LSN (which is the
/// versions' commit timestamp). A transaction without its `commit` record never happened.
///
/// Payload (little-endian): `u8 format (1)`, `u32 count`, then per write `u8 op (1 put, 2 delete)`,
/// `u32 key length`, key, and for a put `u32 value length`, value.
public enum TransactionRecord {
    public static let formatVersion: UInt8 = 1
    static let put: UInt8 = 1
    static let delete: UInt8 = 2

    /// The records for `writes`, split so no payload exceeds `maxPayload` bytes (a single write
    /// larger than that gets a record of its own and is refused by the log if over its limit).
    public static func records(for writes: [(key: [UInt8], value: [UInt8]?)], transaction: TransactionID, maxPayload: Int) -> [WALRecord] {
        var records: [WALRecord] = []
        var batch: [(key: [UInt8], value: [UInt8]?)] = []
        var batchBytes = 5
        for write in writes {
            let size = 1 + 4 + write.key.count + (write.value.map { 4 + $0.count } ?? 0)
            if !batch.isEmpty && batchBytes + size > maxPayload {
                records.append(WALRecord(kind: .writeBatch, transactionID: transaction, payload: encode(batch)))
                batch.removeAll(keepingCapacity: true)
                batchBytes = 5
            }
            batch.append(write)
            batchBytes += size
        }
        records.append(WALRecord(kind: .commit, transactionID: transaction, payload: encode(batch)))
        return records
    }

    /// The payload of a record holding only this write: the largest record a transaction's write
    /// can need, since a write is never split across records.
    static func payloadSize(ofLone key: [UInt8], _ value: [UInt8]?) -> Int {
        5 + 1 + 4 + key.count + (value.map { 4 + $0.count } ?? 0)
    }

    public static func encode(_ writes: [(key: [UInt8], value: [UInt8]?)]) -> [UInt8] {
        var bytes: [UInt8] = [formatVersion]
        bytes.reserveCapacity(5 + writes.reduce(0) { $0 + 9 + $1.key.count + ($1.value?.count ?? 0) })
        bytes.appendLittleEndian(UInt32(writes.count))
        for write in writes {
            if let value = write.value {
                bytes.append(put)
                bytes.appendLengthPrefixed(write.key)
                bytes.appendLengthPrefixed(value)
            } else {
                bytes.append(delete)
                bytes.appendLengthPrefixed(write.key)
            }
        }
        return bytes
    }

    /// Decodes a `writeBatch` or `commit` payload; a malformed one throws `corruption` naming the LSN.
    /// Every length is checked against the bytes that remain before anything is allocated.
    public static func decode(_ entry: WALEntry) throws -> [(key: [UInt8], value: [UInt8]?)] {
        try entry.payload.withUnsafeBytes { try decode($0, lsn: entry.lsn) }
    }

    /// Decodes a payload read in place (see `decode(_:)`).
    public static func decode(_ raw: UnsafeRawBufferPointer, lsn: LSN) throws -> [(key: [UInt8], value: [UInt8]?)] {
        var writes: [(key: [UInt8], value: [UInt8]?)] = []
        try forEachWrite(in: raw, lsn: lsn, reserve: { writes.reserveCapacity($0) }) { key, value in
            writes.append((Array(key), value.map { Array($0) }))
        }
        return writes
    }

    /// Walks a payload read in place without copying: `body` gets each write's key and value
    /// (`nil` for a delete) as views into `raw`, valid during the call only. `reserve` learns the
    /// write count first. The payload is checked as in `decode(_:)`; writes before a damaged one
    /// have been handed to `body` when it throws.
    static func forEachWrite(
        in raw: UnsafeRawBufferPointer, lsn: LSN,
        reserve: (Int) -> Void = { _ in },
        _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer?) throws -> Void
    ) throws {
        func damaged(_ message: String, at offset: Int) -> MantisError {
            MantisError(.corruption, "transaction record: \(message) at payload offset \(offset)",
                        context: ErrorContext(operation: "replay", lsn: lsn.rawValue))
        }
        guard raw.count >= 5 else { throw damaged("truncated header (\(raw.count) bytes)", at: 0) }
        let format = raw[0]
        guard format == formatVersion else {
            throw MantisError(.unsupportedFormat, "transaction record format \(format) is not supported", context: ErrorContext(operation: "replay", lsn: lsn.rawValue))
        }
        let count = Int(raw.loadLittleEndian(UInt32.self, at: 1))
        guard count <= raw.count else { throw damaged("claims \(count) writes in \(raw.count) bytes", at: 1) }
        reserve(count)
        var offset = 5
        func field(_ what: StaticString) throws -> UnsafeRawBufferPointer {
            guard raw.count - offset >= 4 else { throw damaged("truncated \(what) length", at: offset) }
            let length = Int(raw.loadLittleEndian(UInt32.self, at: offset))
            offset += 4
            guard length <= raw.count - offset else { throw damaged("\(what) of \(length) bytes runs past the end", at: offset) }
            defer { offset += length }
            return UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + length)])
        }
        for _ in 0..<count {
            guard offset < raw.count else { throw damaged("truncated operation", at: offset) }
            let op = raw[offset]
            offset += 1
            let key = try field("key")
            switch op {
            case put: try body(key, try field("value"))
            case delete: try body(key, nil)
            default:
                throw MantisError(.corruption, "unknown write operation \(op)", context: ErrorContext(operation: "replay", key: Array(key), lsn: lsn.rawValue))
            }
        }
        guard offset == raw.count else { throw damaged("\(raw.count - offset) trailing bytes after \(count) writes", at: offset) }
    }
}
