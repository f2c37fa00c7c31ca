import MantisCore
import MantisCoreTesting
import Synchronization
import Testing
@testable import WALKit

@Suite("Crashes") struct CrashTests {
    /// What the appenders were told: every acknowledged LSN and its payload, and every payload tried.
    final class Ledger: Sendable {
        let acknowledged = Mutex<[LSN: [UInt8]]>([:])
        let attempted = Mutex<Set<[UInt8]>>([])
        let lastCrash = Mutex<CrashReport?>(nil)
        var ackCount: Int { acknowledged.withLock { $0.count } }
    }

    /// `WAL_CRASH_SEEDS=9,14` replays chosen seeds; the default run covers 1...24.
    static let seeds: [UInt64] = {
        if let list = Environment.value("WAL_CRASH_SEEDS") {
            return list.split(separator: ",").compactMap { UInt64($0) }
        }
        return Array(1...24)
    }()

    @Test("crash at random points while 8 tasks append with sync: every acknowledged append survives, nothing foreign appears", arguments: seeds)
    func crashWhileAppending(seed: UInt64) async throws {
        let fs = FaultInjectingFileSystem(seed: seed)
        var random = SplitMix64(seed: seed)
        let ledger = Ledger()
        let replay = "replay: WAL_CRASH_SEEDS=\(seed) swift test --package-path Packages/WALKit --filter CrashTests"
        for round in 0..<6 {
            let alignment = [512, 4096][Int(random.next() % 2)]
            var opts = options(segmentSize: Int64([16384, 65536][Int(random.next() % 2)]), syncAlignment: alignment)
            opts.prepareSegmentsAhead = random.next() % 2 == 0
            opts.zeroFillSegments = random.next() % 2 == 0
            let wal: SegmentedWAL
            do {
                wal = try SegmentedWAL.open(directory: "/db/wal", fileSystem: fs, checksum: crc32, options: opts)
            } catch {
                Issue.record("seed \(seed) round \(round): reopen failed: \(error); \(replay)")
                return
            }
            let entries = try readAll(wal)
            let acknowledged = ledger.acknowledged.withLock { $0 }
            let attempted = ledger.attempted.withLock { $0 }
            let byLSN = Dictionary(uniqueKeysWithValues: entries.map { ($0.lsn, $0.payload) })
            for (lsn, bytes) in acknowledged.sorted(by: { $0.key < $1.key }) where byLSN[lsn] != bytes {
                Issue.record("seed \(seed) round \(round): acknowledged LSN \(lsn) lost or changed (log ends at \(wal.status.lastLSN)); \(replay)")
                return
            }
            for entry in entries where !attempted.contains(entry.payload) {
                Issue.record("seed \(seed) round \(round): record at LSN \(entry.lsn) was never appended; \(replay)")
            }
            #expect(entries.map(\.lsn.rawValue) == Array(1..<(UInt64(entries.count) + 1)), "seed \(seed): LSNs not consecutive from 1")

            // Eight appenders; the one whose acknowledgement is number `crashAt` stops the machine.
            let crashAt = ledger.ackCount + Int(random.next() % 120) + 1
            let mode = CrashMode.allCases[Int(random.next() % UInt64(CrashMode.allCases.count))]
            await withTaskGroup(of: Void.self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        for index in 0..<100_000 {
                            let bytes = payload("round \(round) writer \(writer) index \(index) " + String(repeating: "p", count: (index * 37) % 300))
                            ledger.attempted.withLock { _ = $0.insert(bytes) }
                            do {
                                let lsn = try await wal.append([WALRecord(kind: .put, transactionID: TransactionID(UInt64(writer)), payload: bytes)])
                                let count = ledger.acknowledged.withLock { acknowledged -> Int in
                                    acknowledged[lsn] = bytes
                                    return acknowledged.count
                                }
                                if count == crashAt {
                                    let report = fs.haltAndCrash(mode)
                                    ledger.lastCrash.withLock { $0 = report }
                                }
                            } catch {
                                return
                            }
                        }
                    }
                }
            }
            try? await wal.close()
            if Environment.value("WAL_CRASH_VERBOSE") != nil {
                print("seed \(seed) round \(round): \(ledger.ackCount) acknowledged; \(ledger.lastCrash.withLock { $0.map { "\($0)" } } ?? "no crash")")
            }
            ledger.lastCrash.withLock { $0 = nil }
            fs.restart()
        }
    }

    @Test("async durability: records are durable within the flush interval, sync() forces them")
    func asyncFlusher() async throws {
        let fs = FaultInjectingFileSystem(seed: 5)
        let wal = try openOnFaults(fs, durability: .async(flushInterval: .milliseconds(20)))
        for index in 0..<50 { try await wal.append([WALRecord(kind: .put, payload: payload("a\(index)"))]) }
        let deadline = ContinuousClock.now + .seconds(5)
        while wal.status.durableLSN < LSN(50), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(wal.status.durableLSN == LSN(50))
        try await wal.append([WALRecord(kind: .put, payload: payload("forced"))])
        try await wal.sync()
        #expect(wal.status.durableLSN == LSN(51))
        _ = fs.crash(.dropUnsynced)
        try? await wal.close()
        let reopened = try openOnFaults(fs, durability: .async(flushInterval: .milliseconds(20)))
        #expect(try readAll(reopened).count == 51)
        try await reopened.close()
    }

    @Test("os durability survives a process crash")
    func osDurability() async throws {
        let fs = FaultInjectingFileSystem(seed: 9)
        let wal = try openOnFaults(fs, durability: .os)
        for index in 0..<30 { try await wal.append([WALRecord(kind: .put, payload: payload("o\(index)"))]) }
        #expect(wal.status.writtenLSN == LSN(30))
        _ = fs.crash(.processCrash)
        try? await wal.close()
        let reopened = try openOnFaults(fs, durability: .os)
        #expect(try readAll(reopened).map(\.payload) == (0..<30).map { payload("o\($0)") })
        try await reopened.close()
    }

    @Test("pending memory is bounded: an async appender past the bound waits for the write")
    func backpressure() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        var opts = options(durability: .async(flushInterval: .seconds(60)), segmentSize: 1 << 20)
        opts.maxPendingBytes = 4096
        let wal = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: opts)
        var maxPending = 0
        for index in 0..<500 {
            try await wal.append([WALRecord(kind: .put, payload: [UInt8](repeating: UInt8(index % 255), count: 100))])
            maxPending = max(maxPending, wal.status.pendingBytes)
        }
        #expect(maxPending <= 4096 + WALFormat.recordSize(payloadLength: 100))
        #expect(wal.status.writtenLSN >= LSN(450))
        try await wal.close()
    }
}
