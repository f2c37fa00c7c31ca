import MantisCore

/// The marker files a failed sync leaves in a log directory, read without changing anything:
/// what the next open will do about them (`WALVerifier`, `mantisdb recover --dry-run`).
public struct WALMarkers: Sendable {
    /// A `sync-failed` marker's last durable LSN: the next open cuts every record after it.
    public var durableThrough: LSN?
    /// A `tail-unsynced` marker's description: the next open rewrites the tail and syncs it.
    public var unsyncedTail: String?
    /// Why a marker cannot be read (the next open refuses the log), naming the marker's file.
    public var damage: [String] = []
    var syncFailure: SyncFailureMarker?

    public var isEmpty: Bool { durableThrough == nil && unsyncedTail == nil && damage.isEmpty }

    /// Reads the markers in `directory`; `names` is its listing, if already at hand.
    public static func read(directory: String, fileSystem: any FileSystem, names: [String]? = nil) throws -> WALMarkers {
        let names = try names ?? fileSystem.contentsOfDirectory(directory)
        var markers = WALMarkers()
        func note(_ error: any Error) { markers.damage.append((error as? MantisError).map { "\($0.context.file ?? directory): \($0.message)" } ?? "\(error)") }
        if names.contains(UnsyncedTailMarker.fileName) {
            let path = Path.join(directory, UnsyncedTailMarker.fileName)
            do {
                let marker = try UnsyncedTailMarker.decode(try fileSystem.readFile(path), path: path)
                markers.unsyncedTail = "the last open failed to sync the log's tail; the next open rewrites segment \(marker.segment) and every later one from what it reads, and syncs them, before trusting them"
            } catch { note(error) }
        }
        if names.contains(SyncFailureMarker.fileName) {
            let path = Path.join(directory, SyncFailureMarker.fileName)
            do {
                let marker = try SyncFailureMarker.decode(try fileSystem.readFile(path), path: path)
                markers.syncFailure = marker
                markers.durableThrough = marker.lsn
            } catch { note(error) }
        }
        return markers
    }

    /// What the `sync-failed` marker means for a log ending at `lastLSN`, if there is one.
    public func syncFailureDescription(lastLSN: LSN) -> String? {
        syncFailure.map { marker in
            "a sync of the log failed; its last durable record is LSN \(marker.lsn) (\(marker.length) bytes of \(marker.segment)): the next open cuts the \(marker.recordsAfter(lastLSN)) record(s) after it (never acknowledged as durable) and keeps them in .broken files"
        }
    }
}
