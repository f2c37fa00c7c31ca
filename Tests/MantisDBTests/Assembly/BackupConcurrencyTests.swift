import Foundation
import MantisCore
import MantisDB
import RecoveryKit
import Synchronization
import Testing

/// Backups taken while writers commit, checkpoints come every few milliseconds, and each new
/// checkpoint (a backup's included) trims the log and deletes older checkpoints piece by piece.
@Suite("Backups during writes, checkpoints and trims") struct BackupConcurrencyTests {
    /// Per writer: commits started, commits acknowledged; and the writers' stop signal.
    final class Progress: Sendable {
        let started: Mutex<[Int]>
        let acknowledged: Mutex<[Int]>
        let stop = Atomic<Bool>(false)
        init(writers: Int) {
            started = Mutex(Array(repeating: 0, count: writers))
            acknowledged = Mutex(Array(repeating: 0, count: writers))
        }
    }

    func options(_ dir: String) -> DatabaseOptions {
        var options = DatabaseOptions(directory: dir)
        options.wal.segmentSize = 64 << 10  // about 15 lone commits (a 4 KiB block each) per segment
        options.wal.prepareSegmentsAhead = false
        options.checkpoints.interval = .milliseconds(15)
        options.checkpoints.walBytes = 48 << 10
        options.checkpoints.keep = 1  // every checkpoint, a backup's too, trims all it can
        // Deletions in two cuts per segment with a pause between: removals are still running
        // while later work goes on, yet keep up with the writers (paced below).
        let slow = RemovalPacing(chunk: 32 << 10, pause: .milliseconds(1))
        options.checkpoints.removalPacing = slow
        options.wal.removalPacing = slow
        options.scrub = nil
        options.diskReserve = nil
        options.checkpointCodec = NoneCheckpointCodec()
        return options
    }

    static func key(_ writer: Int, _ index: Int) -> [UInt8] { Array("w\(writer):\(index)".utf8) }
    static func value(_ writer: Int, _ index: Int) -> [UInt8] { Array("value \(writer) \(index) ".utf8) + Array(repeating: UInt8(97 + index % 26), count: 100) }
    static func last(_ writer: Int) -> [UInt8] { Array("last:\(writer)".utf8) }

    @Test("each backup restores a state between what was acknowledged before it began and what had started when it ended")
    func backupsUnderLoad() async throws {
        let base = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let writers = 4, backups = 12
        let db = try await Database.open(options(base + "/source"))
        let progress = Progress(writers: writers)

        var windows: [(before: [Int], after: [Int], manifest: BackupManifest)] = []
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var index = 0
                    while !progress.stop.load(ordering: .relaxed) {
                        progress.started.withLock { $0[writer] = index + 1 }
                        // Each commit adds the next key and moves the writer's `last` to it.
                        try await db.transaction { txn in
                            try await txn.put(Self.key(writer, index), Self.value(writer, index))
                            try await txn.put(Self.last(writer), Array(String(index).utf8))
                        }
                        index += 1
                        progress.acknowledged.withLock { $0[writer] = index }
                        try await Task.sleep(for: .milliseconds(2))
                    }
                }
            }
            for number in 0..<backups {
                try await Task.sleep(for: .milliseconds(100))
                let before = progress.acknowledged.withLock { $0 }
                let manifest = try await Backup.create(from: db, to: base + "/backup-\(number)")
                let after = progress.started.withLock { $0 }
                windows.append((before, after, manifest))
            }
            progress.stop.store(true, ordering: .relaxed)
            try await group.waitForAll()
        }
        let status = try #require(db.checkpointer?.status)
        try await db.close()

        // The backups really overlapped checkpoints and trims.
        #expect(status.taken > UInt64(backups), "only \(status.taken) checkpoints were taken, \(backups) of them for backups")
        #expect(status.segmentsRemoved > 10, "only \(status.segmentsRemoved) segments were trimmed")
        #expect(status.failed == 0, "\(status.failed) checkpoints failed: \(status.lastFailure ?? "")")

        for (number, window) in windows.enumerated() {
            let report = try Restore.restore(from: base + "/backup-\(number)", to: base + "/restored-\(number)", force: false)
            #expect(report.filesCopied == window.manifest.files.count)
            let restored = try await Database.open(options(base + "/restored-\(number)"))
            #expect(restored.wal.status.lastLSN.rawValue == window.manifest.lastLSN, "backup \(number)")
            let contents = Dictionary(uniqueKeysWithValues: try restored.scan().map { (String(decoding: $0.key, as: UTF8.self), $0.value) })
            for writer in 0..<writers {
                // A writer's keys form a prefix 0..<count, with `last` at count - 1.
                let count = contents.keys.filter { $0.hasPrefix("w\(writer):") }.count
                #expect(count >= window.before[writer] && count <= window.after[writer],
                        "backup \(number), writer \(writer): \(count) commits, acknowledged before \(window.before[writer]), started by the end \(window.after[writer])")
                for index in 0..<count {
                    #expect(contents["w\(writer):\(index)"] == Self.value(writer, index), "backup \(number): w\(writer):\(index) missing or wrong (\(count) commits)")
                }
                let last = contents["last:\(writer)"].map { String(decoding: $0, as: UTF8.self) }
                #expect(last == (count == 0 ? nil : String(count - 1)), "backup \(number), writer \(writer): last \(last ?? "nil"), \(count) commits")
            }
            try await restored.close()
        }
    }
}
