import IntegrityKit
import MantisCore
import RecoveryKit
import WALKit

/// `mantisdb wal inspect|verify`: read-only views of a WAL directory.
public enum WALTool {
    /// The text a tool prints and the exit status it returns.
    public struct Output: Sendable {
        public var text: String
        public var exitCode: Int32
    }

    /// Verifies every segment and record. Exit 0 clean, 1 torn tail only (repairable by opening
    /// the database), 2 corruption (each finding names file and offset), 3 unusable input.
    public static func verify(directory: String, fileSystem: any FileSystem = PosixFileSystem()) -> Output {
        let start = ContinuousClock.now
        let report: WALVerificationReport
        do {
            report = try WALVerifier.verify(directory: directory, fileSystem: fileSystem, checksums: ChecksumAlgorithms.all)
        } catch {
            return Output(text: "error: cannot verify \(directory): \(error)\n" + hint(for: directory, fileSystem: fileSystem), exitCode: 3)
        }
        let elapsed = ContinuousClock.now - start
        var text = summary(report, elapsed: elapsed)
        text += verdict(report)
        return Output(text: text, exitCode: report.exitCode)
    }

    /// Segments, LSN ranges, record counts and findings; with `records`, one line per record.
    public static func inspect(directory: String, records: Bool, fileSystem: any FileSystem = PosixFileSystem()) -> Output {
        var lines: [String] = []
        var kinds: [WALRecordKind: Int] = [:]
        let start = ContinuousClock.now
        let report: WALVerificationReport
        do {
            report = try WALVerifier.verify(directory: directory, fileSystem: fileSystem, checksums: ChecksumAlgorithms.all) { header, _ in
                kinds[header.kind, default: 0] += 1
                if records {
                    lines.append("  lsn \(header.lsn)  \(header.kind)  txn \(header.transactionID.rawValue)  payload \(header.payloadLength) B")
                }
            }
        } catch {
            return Output(text: "error: cannot inspect \(directory): \(error)\n" + hint(for: directory, fileSystem: fileSystem), exitCode: 3)
        }
        var text = summary(report, elapsed: ContinuousClock.now - start)
        for segment in report.segments {
            let first = segment.header.firstLSN
            let range = segment.recordCount == 0 ? "empty" : "LSN \(first)...\(segment.lastLSN)"
            text += "segment \(Path.lastComponent(of: segment.path)): \(range), \(segment.recordCount) records, \(segment.fileSize) bytes, ends at offset \(segment.endOffset), sync alignment \(segment.header.syncAlignment), created \(WallClock.iso8601(nanosecondsSinceEpoch: segment.header.createdAtNanoseconds))\n"
        }
        if !kinds.isEmpty {
            text += "record kinds: " + kinds.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n"
        }
        if !report.otherFiles.isEmpty {
            text += "other files: " + report.otherFiles.joined(separator: ", ") + "\n"
        }
        if records { text += lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n") }
        text += verdict(report)
        return Output(text: text, exitCode: report.exitCode)
    }

    /// A line pointing at the log directory the user probably meant, or "": the directory holding
    /// a segment file given instead, or the `wal/` of a data directory given instead.
    static func hint(for path: String, fileSystem: any FileSystem) -> String {
        let parent = Path.directory(of: path)
        if fileSystem.fileExists(path), !fileSystem.isDirectory(path), (try? WALFormat.holdsSegments(parent, fileSystem: fileSystem)) == true {
            return "did you mean \(parent)? (the log directory holding this file)\n"
        }
        let wal = DataDirectory(path).wal
        if fileSystem.isDirectory(path), fileSystem.isDirectory(wal) {
            return "did you mean \(wal)? (\(path) looks like a data directory; its log is in wal/)\n"
        }
        return ""
    }

    private static func summary(_ report: WALVerificationReport, elapsed: Duration) -> String {
        let seconds = max(elapsed.seconds, 1e-9)
        let megabytes = Double(report.bytesRead) / 1_000_000
        let first = report.firstLSN.map { "\($0)" } ?? "-"
        let last = report.lastLSN.map { "\($0)" } ?? "-"
        return "wal \(report.directory): \(report.segments.count) segments, \(report.recordCount) records, LSN \(first)...\(last)\n"
            + "read \(String.fixed(megabytes, digits: 2)) MB in \(String.fixed(seconds, digits: 3)) s (\(String.fixed(megabytes / seconds, digits: 2)) MB/s)\n"
    }

    private static func verdict(_ report: WALVerificationReport) -> String {
        var text = ""
        for finding in report.findings {
            text += "finding: \(finding)" + (report.markers.cuts(finding) ? " (past the last durable record: the open cuts it)" : "") + "\n"
        }
        if let unsyncedTail = report.markers.unsyncedTail { text += "unsynced tail: \(unsyncedTail)\n" }
        if let syncFailure = report.syncFailure { text += "sync failure: \(syncFailure)\n" }
        for damage in report.markers.damage { text += "damaged marker: \(damage)\n" }
        switch report.exitCode {
        case 0: text += "result: clean\n"
        case 1 where report.findingsAfterMarkers.isEmpty:
            text += "result: a failed sync left a marker; opening the database applies it (see above)\n"
        case 1: text += "result: torn tail (a crash mid-write); opening the database cuts it and keeps the bytes in a .broken file\n"
        default: text += "result: CORRUPTION: the log is damaged where damage is not expected; the database will refuse to open normally\n"
        }
        return text
    }
}

