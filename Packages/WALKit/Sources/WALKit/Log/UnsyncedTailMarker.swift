import MantisCore

/// Left in the log directory when the open's own sync of the log's tail fails. The open syncs
/// the tail it found because a crashed writer may have left it unsynced; when that sync fails
/// the kernel may mark those pages clean without writing them, and nothing says which records
/// were durable before. So the next open rewrites the named segment and every later one from
/// what it reads, and syncs them, before it trusts a byte of them (`SegmentedWAL.open`).
struct UnsyncedTailMarker: Equatable {
    static let fileName = "tail-unsynced"

    /// The first segment whose durability is unknown.
    var segment: String

    func encoded() -> [UInt8] {
        WALMarkerText.encode(title: "mantisdb wal unsynced tail", fields: ["segment": segment])
    }

    /// Decodes the marker at `path`; a damaged one is `corruption` naming the file.
    static func decode(_ bytes: [UInt8], path: String) throws -> UnsyncedTailMarker {
        func damaged(_ reason: String) -> MantisError {
            MantisError(.corruption, "the log's unsynced-tail marker is damaged (\(reason)); it names the segment whose durability a failed sync left unknown, so the log cannot be opened safely without it: inspect the disk, then remove the marker to accept the log as it reads", context: ErrorContext(operation: "open wal", file: path))
        }
        let fields: [String: String]
        do { fields = try WALMarkerText.decode(bytes) } catch { throw damaged(error.reason) }
        guard let segment = fields["segment"] else { throw damaged("missing field") }
        return UnsyncedTailMarker(segment: segment)
    }
}
