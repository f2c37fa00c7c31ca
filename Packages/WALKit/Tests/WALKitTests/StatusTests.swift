import MantisCore
import MantisCoreTesting
import Synchronization
import Testing
@testable import WALKit

/// `status` is read by every `INFO`, `/status`, metrics scrape and RPO check: it must be cheap
/// and still report the files' real sizes.
@Suite("Status") struct StatusTests {
    @Test("status.totalBytes equals the segment files' sizes through appends, rotations, cleanup and a reopen, without statting any file")
    func totalBytesWithoutStat() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let fs = StatCountingFileSystem()
        let walOptions = options(segmentSize: 8192, zeroFill: false)
        let wal = try SegmentedWAL.open(directory: dir.path, fileSystem: fs, checksum: crc32, options: walOptions)
        func expectSizesMatch(_ log: SegmentedWAL, _ when: String) throws {
            fs.lookups.store(0, ordering: .relaxed)
            let reported = log.status.totalBytes
            #expect(fs.lookups.load(ordering: .relaxed) == 0, "status looked up segment files \(when)")
            let actual = try log.segmentPaths.reduce(Int64(0)) { $0 + (try PosixFileSystem().fileSize($1)) }
            #expect(reported == actual, "\(when): status says \(reported) bytes, the files hold \(actual)")
        }
        try expectSizesMatch(wal, "on a new log")
        for index in 0..<150 {
            try await wal.append([WALRecord(kind: .put, payload: [UInt8](repeating: UInt8(index % 250 + 1), count: 100))])
        }
        #expect(wal.segmentPaths.count >= 3)
        try expectSizesMatch(wal, "after rotations")
        let removed = try wal.removeSegments(below: wal.status.lastLSN)
        #expect(removed >= 2)
        try expectSizesMatch(wal, "after cleanup")
        try await wal.close()
        let reopened = try SegmentedWAL.open(directory: dir.path, fileSystem: fs, checksum: crc32, options: walOptions)
        try expectSizesMatch(reopened, "after a reopen")
        try await reopened.append([WALRecord(kind: .put, payload: payload("after reopen"))])
        try expectSizesMatch(reopened, "after an append to the reopened log")
        try await reopened.close()
    }

    @Test("an active segment smaller than the segment size (written with a smaller one) grows by appends, and status follows")
    func activeSegmentGrowing() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let fs = StatCountingFileSystem()
        let small = try SegmentedWAL.open(directory: dir.path, fileSystem: fs, checksum: crc32, options: options(segmentSize: 8192, zeroFill: false))
        try await small.append([WALRecord(kind: .put, payload: payload("first"))])
        try await small.close()
        let wal = try SegmentedWAL.open(directory: dir.path, fileSystem: fs, checksum: crc32, options: options(segmentSize: 65536, zeroFill: false))
        // Each sync pads to the 512-byte alignment: 40 appends fill about 20 KiB of the old segment.
        for index in 0..<40 { try await wal.append([WALRecord(kind: .put, payload: [UInt8](repeating: UInt8(index % 250 + 1), count: 100))]) }
        #expect(wal.segmentPaths.count == 1, "the test meant the old segment to grow, not to rotate")
        let active = try #require(wal.segmentPaths.last)
        #expect(try PosixFileSystem().fileSize(active) > 8192, "the test meant the old segment to grow past its old size")
        let actual = try wal.segmentPaths.reduce(Int64(0)) { $0 + (try PosixFileSystem().fileSize($1)) }
        #expect(wal.status.totalBytes == actual)
        try await wal.close()
    }
}
