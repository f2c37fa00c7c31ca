import MantisCore

/// Left in the log directory when an `fdatasync` of the log fails: where the log was last known
/// durable. After a failed sync the kernel may have marked the unsynced pages clean without
/// writing them ("fsyncgate"): they still read back until evicted or the machine restarts, and
/// then vanish. Recovering them after a process restart would let new commits be acknowledged
/// after records that are not on disk, so the next `open` cuts the log back to this point first
/// (those records were never acknowledged as durable).
struct SyncFailureMarker: Equatable {
    static let fileName = "sync-failed"

    /// The segment holding the last durable record, and how many of its bytes are durable.
    var segment: String
    var length: Int64
    /// The last durable LSN.
    var lsn: LSN

    /// How many records of a log ending at `lastLSN` follow the durable point (what the cut takes).
    func recordsAfter(_ lastLSN: LSN) -> UInt64 {
        lastLSN > lsn ? lastLSN.rawValue - lsn.rawValue : 0
    }

    func encoded() -> [UInt8] {
        WALMarkerText.encode(title: "mantisdb wal sync failure", fields: ["segment": segment, "length": "\(length)", "lsn": "\(lsn.rawValue)"])
    }

    /// Decodes the marker at `path`; a damaged one is `corruption` naming the file.
    static func decode(_ bytes: [UInt8], path: String) throws -> SyncFailureMarker {
        func damaged(_ reason: String) -> MantisError {
            MantisError(.corruption, "the log's sync-failure marker is damaged (\(reason)); it says where the log was last durable, so the log cannot be opened safely without it: inspect the disk, then remove the marker to accept the log as it reads", context: ErrorContext(operation: "open wal", file: path))
        }
        let fields: [String: String]
        do { fields = try WALMarkerText.decode(bytes) } catch { throw damaged(error.reason) }
        guard let segment = fields["segment"], let length = fields["length"].flatMap({ Int64($0) }),
              let lsn = fields["lsn"].flatMap({ UInt64($0) }) else { throw damaged("missing field") }
        return SyncFailureMarker(segment: segment, length: length, lsn: LSN(lsn))
    }
}
