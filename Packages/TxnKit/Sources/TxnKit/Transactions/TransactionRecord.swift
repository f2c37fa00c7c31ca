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
    public static func decode(_ entry: WALEntry) throws -> [(key: [UInt8], value: [UInt8]?)] {
        var reader = ByteReader(entry.payload, source: "WAL record LSN \(entry.lsn)")
        let format = try reader.read(UInt8.self, "format")
        guard format == formatVersion else {
            throw MantisError(.unsupportedFormat, "transaction record format \(format) is not supported", context: ErrorContext(operation: "replay", lsn: entry.lsn.rawValue))
        }
        let count = Int(try reader.read(UInt32.self, "write count"))
        guard count <= entry.payload.count else {
            throw MantisError(.corruption, "transaction record claims \(count) writes in \(entry.payload.count) bytes", context: ErrorContext(operation: "replay", lsn: entry.lsn.rawValue))
        }
        var writes: [(key: [UInt8], value: [UInt8]?)] = []
        writes.reserveCapacity(count)
        for _ in 0..<count {
            let op = try reader.read(UInt8.self, "operation")
            let key = try reader.readLengthPrefixed("key")
            switch op {
            case put: writes.append((key, try reader.readLengthPrefixed("value")))
            case delete: writes.append((key, nil))
            default:
                throw MantisError(.corruption, "unknown write operation \(op)", context: ErrorContext(operation: "replay", key: key, lsn: entry.lsn.rawValue))
            }
        }
        guard reader.isAtEnd else {
            throw MantisError(.corruption, "\(reader.remaining) trailing bytes after \(count) writes", context: ErrorContext(operation: "replay", lsn: entry.lsn.rawValue))
        }
        return writes
    }
}
