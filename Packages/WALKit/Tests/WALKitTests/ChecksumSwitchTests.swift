import IntegrityKit
import MantisCore
import MantisCoreTesting
import Testing
@testable import WALKit

@Suite("Switching the checksum algorithm") struct ChecksumSwitchTests {
    func open(_ fs: FaultInjectingFileSystem, _ checksum: any ChecksumAlgorithm, readable: [any ChecksumAlgorithm]) throws -> SegmentedWAL {
        var opts = options(segmentSize: 64 << 10)
        opts.prepareSegmentsAhead = false
        opts.additionalChecksums = readable
        return try SegmentedWAL.open(directory: "/db/wal", fileSystem: fs, checksum: checksum, options: opts)
    }

    @Test("records appended after a switch go into a new segment under the new algorithm; every record reads back, both ways")
    func switchBothWays() async throws {
        let fs = FaultInjectingFileSystem(seed: 31)
        let crc32c = CRC32CChecksum()
        var wal = try open(fs, crc32, readable: [crc32c])
        try await wal.append([WALRecord(kind: .put, payload: payload("one"))])
        try await wal.close()
        wal = try open(fs, crc32c, readable: [crc32])
        #expect(wal.status.segmentCount == 2, "the crc32 segment was sealed")
        try await wal.append([WALRecord(kind: .put, payload: payload("two"))])
        try await wal.close()
        // Back again, after a power loss: nothing acknowledged is lost, nothing reads as torn.
        _ = fs.crash(.dropUnsynced)
        wal = try open(fs, crc32, readable: [crc32c])
        #expect(wal.openReport.repairs.isEmpty)
        try await wal.append([WALRecord(kind: .put, payload: payload("three"))])
        try await wal.close()
        wal = try open(fs, crc32, readable: [crc32c])
        #expect(try readAll(wal).map(\.payload) == ["one", "two", "three"].map { payload($0) })
        #expect(wal.status.segmentCount == 3)
        let report = try WALVerifier.verify(directory: "/db/wal", fileSystem: fs, checksums: [crc32, crc32c])
        #expect(report.findings.isEmpty, "\(report.findings)")
        try await wal.close()
    }

    @Test("an empty last segment under the old algorithm is replaced, not followed by one of the same first LSN")
    func emptySegmentReplaced() async throws {
        let fs = FaultInjectingFileSystem(seed: 37)
        var wal = try open(fs, crc32, readable: [])
        try await wal.close()
        wal = try open(fs, CRC32CChecksum(), readable: [crc32])
        #expect(wal.status.segmentCount == 1)
        try await wal.append([WALRecord(kind: .put, payload: payload("first"))])
        try await wal.close()
        _ = fs.crash(.dropUnsynced)
        wal = try open(fs, CRC32CChecksum(), readable: [])
        #expect(try readAll(wal).map(\.payload) == [payload("first")])
        try await wal.close()
    }
}
