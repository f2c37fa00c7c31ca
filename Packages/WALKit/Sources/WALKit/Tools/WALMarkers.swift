import MantisCore

/// The marker files a failed sync leaves in a log directory, read without changing anything:
/// what the next open will do about them (`WALVerifier`, `mantisdb recover --dry-run`).
public struct WALMarkers: Sendable {
    /// A `sync-failed` marker's last durable LSN: the next open cuts every record after it.
    public var durableThrough: LSN? { syncFailure?.lsn }
    /// A `tail-unsynced` marker's description: the next open rewrites the tail and syncs it.
    public var unsyncedTail: String?
    /// Why a marker cannot be read (the next open refuses the log), naming the marker's file.
    public var damage: [String] = []
    var syncFailure: SyncFailureMarker?

    public var isEmpty: Bool { syncFailure == nil && unsyncedTail == nil && damage.isEmpty }

    /// Reads the markers in `directory`; `names` is its listing, if already at hand.
    public static func read(directory: String, fileSystem: any FileSystem, names: [String]? = nil) throws -> WALMarkers {
        let names = try names ?? fileSystem.contentsOfDirectory(directory)
        var markers = WALMarkers()
        func note(_ error: any Error) { markers.damage.append((error as? MantisError).map { "\($0.context.file ?? directory): \($0.message)" } ?? "\(error)") }
        // As the open: a marker naming a segment not in the log stops it.
        func dangling(_ path: String, _ what: String, _ segment: String) -> Bool {
            guard !names.contains(segment) else { return false }
            markers.damage.append("\(path): the log's \(what) marker names segment \(segment), which is not in the log: the open refuses the log")
            return true
        }
        if names.contains(UnsyncedTailMarker.fileName) {
            let path = Path.join(directory, UnsyncedTailMarker.fileName)
            do {
                let marker = try UnsyncedTailMarker.decode(try fileSystem.readFile(path), path: path)
                if dangling(path, "unsynced-tail", marker.segment) { return markers }
                markers.unsyncedTail = "the last open failed to sync the log's tail; the next open rewrites segment \(marker.segment) and every later one from what it reads, and syncs them, before trusting them"
            } catch { note(error) }
        }
        if names.contains(SyncFailureMarker.fileName) {
            let path = Path.join(directory, SyncFailureMarker.fileName)
            do {
                let marker = try SyncFailureMarker.decode(try fileSystem.readFile(path), path: path)
                if dangling(path, "sync-failure", marker.segment) { return markers }
                markers.syncFailure = marker
            } catch { note(error) }
        }
        return markers
    }

    /// True if the open's cut after a failed sync takes away the place `finding` is about (it
    /// lies past the marker's durable bytes, or in a later segment): the open never meets it.
    public func cuts(_ finding: WALFinding) -> Bool {
        guard let marker = syncFailure else { return false }
        let (file, offset): (String, Int64) = switch finding {
        case let .tornTail(file, offset, _, _): (file, offset)
        case let .corruption(file, offset, _): (file, offset)
        }
        let name = Path.lastComponent(of: file)
        guard let lsn = WALFormat.firstLSN(ofSegmentNamed: name), let markerLSN = WALFormat.firstLSN(ofSegmentNamed: marker.segment) else { return false }
        return lsn > markerLSN || (lsn == markerLSN && offset >= marker.length)
    }

    /// What the `sync-failed` marker means for a log ending at `lastLSN`, if there is one.
    public func syncFailureDescription(lastLSN: LSN) -> String? {
        syncFailure.map { marker in
            "a sync of the log failed; its last durable record is LSN \(marker.lsn) (\(marker.length) bytes of \(marker.segment)): the next open cuts the \(marker.recordsAfter(lastLSN)) record(s) after it (never acknowledged as durable) and keeps them in .broken files"
        }
    }
}
