import MantisCore
import MantisCoreTesting
import Testing
@testable import WALKit

@Suite("Segment removal") struct SegmentRemovalTests {
    /// A log of 8 KiB segments holding 300 records, and the LSN of the first record of its
    /// fourth segment (where trimming cuts).
    func filledLog(_ fs: any FileSystem, directory: String, pacing: RemovalPacing?) async throws -> (SegmentedWAL, LSN) {
        var opts = options(segmentSize: 8192)
        opts.removalPacing = pacing
        let wal = try SegmentedWAL.open(directory: directory, fileSystem: fs, checksum: crc32, options: opts)
        for index in 0..<300 { try await wal.append([WALRecord(kind: .put, payload: payload("record \(index)"))]) }
        let firsts = wal.segmentPaths.compactMap { WALFormat.firstLSN(ofSegmentNamed: Path.lastComponent(of: $0)) }
        #expect(firsts.count >= 5)
        return (wal, firsts[3])
    }

    @Test("trimmed segments are cut away a chunk at a time and deleted; nothing is left beside the log")
    func pacedRemoval() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let fs = PosixFileSystem()
        let (wal, cut) = try await filledLog(fs, directory: dir.path, pacing: RemovalPacing(chunk: 1024, pause: .zero))
        let before = wal.segmentPaths
        #expect(try wal.removeSegments(below: cut) == 3)
        #expect(wal.segmentPaths == Array(before.dropFirst(3)))
        // Besides the segments, only the spare segment prepared ahead.
        let names = try fs.contentsOfDirectory(dir.path).filter { !$0.hasPrefix(WALFormat.preparedPrefix) }.sorted()
        #expect(names == wal.segmentPaths.map { Path.lastComponent(of: $0) }.sorted(), "only the live segments remain")
        #expect(try readAll(wal).first?.lsn == cut)
        try await wal.close()
    }

    @Test("a crash while a trimmed segment is being cut away: the next open deletes the rest, and every record from the cut on is there")
    func crashDuringRemoval() async throws {
        let fs = FaultInjectingFileSystem(seed: 7)
        let (wal, cut) = try await filledLog(fs, directory: "/db/wal", pacing: RemovalPacing(chunk: 1024, pause: .zero))
        let kept = try readAll(wal, from: cut)
        // The third cut of the first trimmed segment fails: its removal stops there, half done.
        fs.inject(FaultRule([.truncate], .eio, trigger: .nth(3), pathContains: WALFormat.removingSuffix))
        #expect(try wal.removeSegments(below: cut) == 3, "the segments are out of the log even though one was not deleted")
        let leftovers = try fs.contentsOfDirectory("/db/wal").filter { $0.hasSuffix(WALFormat.removingSuffix) }
        #expect(leftovers.count == 1)
        _ = fs.haltAndCrash(.dropUnsynced)
        fs.restart()
        fs.removeAllFaults()

        // The renames were made durable before any cut; the later deletions were not (no
        // directory sync after them), so every trimmed segment may come back, as `.removing`.
        let survivors = try fs.contentsOfDirectory("/db/wal").filter { $0.hasSuffix(WALFormat.removingSuffix) }
        #expect(Set(leftovers).isSubset(of: survivors))
        let reopened = try SegmentedWAL.open(directory: "/db/wal", fileSystem: fs, checksum: crc32, options: options(segmentSize: 8192))
        #expect(Set(survivors).isSubset(of: reopened.openReport.removedTemporaryFiles))
        #expect(try fs.contentsOfDirectory("/db/wal").allSatisfy { !$0.hasSuffix(WALFormat.removingSuffix) })
        let entries = try readAll(reopened)
        #expect(entries.map(\.lsn) == kept.map(\.lsn))
        #expect(entries.map(\.payload) == kept.map(\.payload))
        try await reopened.close()
    }
}

@Suite("Segment archiving") struct SegmentArchivingTests {
    @Test("an archived segment goes to the archive a MiB at a time: never more than a MiB written and not yet synced")
    func archiveCopyIsPaced() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let fs = UnsyncedBytesFileSystem()
        var opts = options(segmentSize: 4 << 20, zeroFill: false, archive: Path.join(dir.path, "archive"))
        opts.removalPacing = nil
        let wal = try SegmentedWAL.open(directory: Path.join(dir.path, "wal"), fileSystem: fs, checksum: crc32, options: opts)
        let record = [UInt8](repeating: 0xA5, count: 64 << 10)
        for _ in 0..<100 { try await wal.append([WALRecord(kind: .put, payload: record)]) }
        let sealed = try #require(wal.segmentPaths.first)
        let sealedSize = try PosixFileSystem().fileSize(sealed)
        #expect(sealedSize > 3 << 20, "a sealed segment of several MiB to archive")
        fs.maxUnsynced.store(0, ordering: .relaxed)
        #expect(try wal.removeSegments(below: wal.status.lastLSN) >= 1)
        #expect(fs.maxUnsynced.load(ordering: .relaxed) <= 1 << 20, "up to \(fs.maxUnsynced.load(ordering: .relaxed)) bytes written before a sync")
        #expect(try PosixFileSystem().fileSize(Path.join(Path.join(dir.path, "archive"), Path.lastComponent(of: sealed))) == sealedSize)
        try await wal.close()
    }
}
