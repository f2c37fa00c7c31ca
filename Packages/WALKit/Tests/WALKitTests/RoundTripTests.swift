import MantisCore
import Synchronization
import Testing
@testable import WALKit

@Suite("Round trip") struct RoundTripTests {
    @Test("every record kind round-trips with its LSN, transaction and payload", arguments: [Durability.sync, .os, .async(flushInterval: .milliseconds(5))])
    func everyKind(durability: Durability) async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let wal = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: options(durability: durability))
        var appended: [WALRecord] = []
        for (index, kind) in WALRecordKind.allKnown.enumerated() {
            let record = WALRecord(kind: kind, transactionID: TransactionID(UInt64(index + 100)), payload: payload("payload-\(kind)-" + String(repeating: "x", count: index * 7)))
            appended.append(record)
            let lsn = try await wal.append([record])
            #expect(lsn == LSN(UInt64(index + 1)))
        }
        let empty = WALRecord(kind: .note, transactionID: .none, payload: [])
        appended.append(empty)
        try await wal.append([empty])
        try await wal.close()

        let reopened = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: options(durability: durability))
        let entries = try readAll(reopened)
        #expect(entries.map(\.record) == appended)
        #expect(entries.map(\.lsn.rawValue) == Array(1...UInt64(appended.count)))
        #expect(reopened.status.lastLSN == LSN(UInt64(appended.count)))
        try await reopened.close()
    }

    @Test("onSync reports every group-commit fdatasync before its waiters return: one call per counted sync, records summing to those appended")
    func onSyncHook() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let seen = Mutex<(calls: Int, records: UInt64, nanoseconds: Int64)>((0, 0, 0))
        var walOptions = options()
        walOptions.onSync = { latency, records in
            seen.withLock { $0.calls += 1; $0.records += records; $0.nanoseconds += latency.components.attoseconds / 1_000_000_000 + latency.components.seconds * 1_000_000_000 }
        }
        let wal = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: walOptions)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for index in 0..<25 { try await wal.append([WALRecord(kind: .note, transactionID: .none, payload: payload("w\(writer) \(index)"))]) }
                }
            }
            try await group.waitForAll()
        }
        let status = wal.status
        let observed = seen.withLock { $0 }
        #expect(observed.calls == Int(status.syncCount) && observed.calls > 0)
        #expect(observed.records == 200, "every appended record was made durable by exactly one reported sync")
        #expect(observed.nanoseconds == Int64(status.syncNanosecondsTotal))
        try await wal.close()
    }

    @Test("a batch gets consecutive LSNs and reads back from any LSN, across segments")
    func readFromAnyLSN() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let wal = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: options(segmentSize: 8192))
        var expected: [[UInt8]] = []
        for batch in 0..<40 {
            let records = (0..<5).map { WALRecord(kind: .put, transactionID: TransactionID(UInt64(batch)), payload: payload("b\(batch)-r\($0)-" + String(repeating: "v", count: 150))) }
            expected += records.map(\.payload)
            let last = try await wal.append(records)
            #expect(last == LSN(UInt64(expected.count)))
        }
        #expect(wal.status.segmentCount >= 4)
        for start in [1, 2, 57, 100, 199, 200] {
            let entries = try readAll(wal, from: LSN(UInt64(start)))
            #expect(entries.first?.lsn == LSN(UInt64(start)))
            #expect(entries.map(\.payload) == Array(expected[(start - 1)...]))
        }
        #expect(try readAll(wal, from: LSN(201)).isEmpty)
        try await wal.close()
    }

    @Test("LSNs continue after the last record across reopen and never repeat")
    func lsnsMonotonicAcrossReopen() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        var last = LSN.zero
        for round in 0..<5 {
            let wal = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: options(segmentSize: 8192))
            #expect(wal.status.lastLSN == last)
            for index in 0..<30 {
                let lsn = try await wal.append([WALRecord(kind: .put, payload: payload("round \(round) record \(index) " + String(repeating: "z", count: 100)))])
                #expect(lsn == last.next)
                last = lsn
            }
            try await wal.close()
        }
        let wal = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: options(segmentSize: 8192))
        #expect(try readAll(wal).map(\.lsn.rawValue) == Array(1...150))
        try await wal.close()
    }

    @Test("records over the maximum size are refused without failing the log")
    func recordTooLarge() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        var opts = options()
        opts.maxRecordSize = 1000
        let wal = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: opts)
        await #expect(throws: MantisError.self) {
            try await wal.append([WALRecord(kind: .put, payload: [UInt8](repeating: 1, count: 1001))])
        }
        let lsn = try await wal.append([WALRecord(kind: .put, payload: [UInt8](repeating: 1, count: 1000))])
        #expect(lsn == LSN(1))
        #expect(wal.maxRecordPayload == 1000)
        try await wal.close()

        // The in-memory log keeps the same limit when given one, and none by default.
        let memory = InMemoryWAL(maxRecordPayload: 1000)
        let error = await #expect(throws: MantisError.self) {
            try await memory.append([WALRecord(kind: .put, payload: [UInt8](repeating: 1, count: 1001))])
        }
        #expect(error?.code == .recordTooLarge)
        #expect(try await memory.append([WALRecord(kind: .put, payload: [UInt8](repeating: 1, count: 1000))]) == LSN(1))
        #expect(InMemoryWAL().maxRecordPayload == .max)
    }

    @Test("concurrent sync appenders are group committed: fewer fdatasyncs than appends, all acknowledged records durable")
    func groupCommit() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let wal = try SegmentedWAL.open(directory: dir.path, fileSystem: SlowSyncFileSystem(delay: .milliseconds(2)), checksum: crc32, options: options(segmentSize: 4 << 20))
        let writers = 16, perWriter = 50
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    for index in 0..<perWriter {
                        try await wal.append([WALRecord(kind: .put, transactionID: TransactionID(UInt64(writer)), payload: payload("w\(writer)-\(index)"))])
                    }
                }
            }
            try await group.waitForAll()
        }
        let status = wal.status
        #expect(status.lastLSN == LSN(UInt64(writers * perWriter)))
        #expect(status.durableLSN == status.lastLSN)
        #expect(status.syncCount < UInt64(writers * perWriter))
        #expect(status.groupCommittedRecords == UInt64(writers * perWriter))
        let entries = try readAll(wal)
        #expect(Set(entries.map(\.payload)).count == writers * perWriter)
        try await wal.close()
    }
}

@Suite("Sync alignment") struct SyncAlignmentTests {
    @Test("after every sync the next write starts on a fresh sector, whatever gap that leaves (8 to 4096 bytes)", arguments: [512, 4096])
    func everyGapSize(alignment: Int) async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        var opts = options(segmentSize: 4 << 20, syncAlignment: alignment)
        opts.prepareSegmentsAhead = false
        let wal = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: opts)
        var expected: [[UInt8]] = []
        // Payload sizes stepping by 8 make record ends fall at every 8-byte position in a sector.
        for size in stride(from: 0, through: alignment + 64, by: 8) {
            let bytes = [UInt8](repeating: UInt8(size % 251 + 1), count: size)
            expected.append(bytes)
            try await wal.append([WALRecord(kind: .put, payload: bytes)])
        }
        let path = wal.segmentPaths[0]
        try await wal.close()
        let starts = try recordStarts(path)
        #expect(starts.count == expected.count)
        for (index, start) in starts.enumerated() {
            #expect(start % alignment == 0, "record \(index) starts at \(start): not on a fresh sector after its sync")
        }
        let reopened = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: opts)
        #expect(try readAll(reopened).map(\.payload) == expected)
        try await reopened.close()
        let report = try WALVerifier.verify(directory: dir.path, fileSystem: PosixFileSystem(), checksums: [crc32])
        #expect(report.exitCode == 0, "\(report.findings)")
    }
}
