import MantisCore
import Testing
@testable import WALKit

@Suite("Torn tails") struct TornTailTests {
    static let recordPayload = [UInt8](repeating: 0xA5, count: 64)  // 32 + 64 = 96 bytes, no padding, no zero bytes
    static let recordSize = WALFormat.recordSize(payloadLength: 64)

    func fastOptions() -> SegmentedWALOptions {
        var opts = options(segmentSize: 64 << 10)
        opts.prepareSegmentsAhead = false
        return opts
    }

    /// Writes `count` records, each synced on its own, and returns the segment bytes.
    func writeLog(_ dir: String, count: Int) async throws -> (path: String, bytes: [UInt8]) {
        let wal = try SegmentedWAL.open(directory: dir, fileSystem: PosixFileSystem(), checksum: crc32, options: fastOptions())
        for index in 0..<count {
            var bytes = Self.recordPayload
            bytes[0] = UInt8(index + 1)
            try await wal.append([WALRecord(kind: .put, transactionID: TransactionID(UInt64(index + 1)), payload: bytes)])
        }
        let path = wal.segmentPaths[0]
        try await wal.close()
        return (path, try PosixFileSystem().readFile(path))
    }

    @Test("a last record cut at every byte offset: earlier records kept, next LSN right, .broken holds the cut bytes", arguments: [false, true])
    func cutAtEveryOffset(garbageAfterCut: Bool) async throws {
        let source = TemporaryDirectory()
        defer { source.cleanup() }
        let (segmentPath, original) = try await writeLog(source.path, count: 5)
        let lastStart = try recordStarts(segmentPath)[4]
        var random = SplitMix64(seed: 42)
        for cut in 0..<Self.recordSize {
            let dir = TemporaryDirectory("torn")
            defer { dir.cleanup() }
            var damaged = original
            for index in (lastStart + cut)..<(lastStart + Self.recordSize) {
                damaged[index] = garbageAfterCut ? UInt8.random(in: 1...255, using: &random) : 0
            }
            let path = dir.path + "/" + Path.lastComponent(of: segmentPath)
            try PosixFileSystem().writeFileAtomically(path, contents: damaged)

            let wal = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: fastOptions())
            #expect(wal.status.lastLSN == LSN(4), "cut at \(cut)")
            let torn = Array(damaged[lastStart..<(lastStart + Self.recordSize)])
            let lastNonZero = torn.lastIndex { $0 != 0 }
            if let lastNonZero {
                #expect(wal.openReport.repairs.count == 1, "cut at \(cut)")
                let broken = try PosixFileSystem().readFile(path + ".broken")
                #expect(broken.count >= lastNonZero + 1 && broken.count <= Self.recordSize, "cut at \(cut)")
                #expect(Array(broken) == Array(torn[0..<broken.count]), "cut at \(cut)")
            } else {
                #expect(wal.openReport.repairs.isEmpty)
                #expect(!PosixFileSystem().fileExists(path + ".broken"))
            }
            let next = try await wal.append([WALRecord(kind: .put, payload: payload("after repair"))])
            #expect(next == LSN(5), "cut at \(cut)")
            let entries = try readAll(wal)
            #expect(entries.map(\.lsn.rawValue) == [1, 2, 3, 4, 5])
            #expect(entries.last?.payload == payload("after repair"))
            try await wal.close()
            // The repaired log now reopens clean.
            let again = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: fastOptions())
            #expect(again.openReport.repairs.isEmpty)
            try await again.close()
        }
    }

    @Test("a torn tail is refused, not cut, when repair is off")
    func repairOff() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let (path, original) = try await writeLog(dir.path, count: 3)
        var damaged = original
        let lastStart = try recordStarts(path)[2]
        for index in (lastStart + 40)..<(lastStart + Self.recordSize) { damaged[index] = 0 }
        try PosixFileSystem().writeFileAtomically(path, contents: damaged)
        var opts = fastOptions()
        opts.repairTornTail = false
        #expect {
            _ = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: opts)
        } throws: { error in
            let error = error as? MantisError
            return error?.code == .tornWrite && error?.context.file == path && error?.context.offset == Int64(lastStart)
        }
        #expect(try PosixFileSystem().readFile(path) == damaged, "nothing changed")
    }

    @Test("records of one unsynced batch after a damaged record are a torn tail, not corruption")
    func unsyncedBatchIsTorn() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        var opts = fastOptions()
        opts.durability = .os
        let wal = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: opts)
        try await wal.append([WALRecord(kind: .put, payload: Self.recordPayload)])
        try await wal.sync()
        try await wal.append((0..<6).map { _ in WALRecord(kind: .put, payload: Self.recordPayload) })
        let path = wal.segmentPaths[0]
        try await wal.close()
        let secondStart = try recordStarts(path)[1]
        var bytes = try PosixFileSystem().readFile(path)
        bytes[secondStart + 50] ^= 0x10
        try PosixFileSystem().writeFileAtomically(path, contents: bytes)
        let reopened = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: opts)
        #expect(reopened.status.lastLSN == LSN(1))
        #expect(reopened.openReport.brokenFiles.count == 1)
        try await reopened.close()
    }
}

@Suite("Damage in alignment gaps") struct GapDamageTests {
    @Test("a flipped bit in the zero gap before the last intact record is corruption, not a torn tail to cut")
    func gapDamage() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        var opts = options(segmentSize: 64 << 10)
        opts.prepareSegmentsAhead = false
        let wal = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: opts)
        for index in 0..<4 { try await wal.append([WALRecord(kind: .put, payload: payload("acknowledged \(index)"))]) }
        let segment = wal.segmentPaths[0]
        try await wal.close()
        let starts = try recordStarts(segment)
        var bytes = try PosixFileSystem().readFile(segment)
        let gap = starts[2] + WALFormat.recordSize(payloadLength: 14) + 4  // inside the gap before the last record
        bytes[gap] ^= 0x10
        try PosixFileSystem().writeFileAtomically(segment, contents: bytes)
        #expect {
            _ = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: opts)
        } throws: { error in
            (error as? MantisError)?.code == .corruption
        }
        let report = try WALVerifier.verify(directory: dir.path, fileSystem: PosixFileSystem(), checksums: [crc32])
        #expect(report.exitCode == 2)
    }
}
