import MantisCore
import MantisCoreTesting
import RecoveryKit
import Synchronization
import Testing
import WALKit
import IntegrityKit

@Suite("RPO monitor") struct RPOMonitorTests {
    @Test("checks a quarter of the RPO apart (10 ms to 1 s); once a second with an RPO of zero")
    func checkInterval() {
        #expect(RPOMonitor.checkInterval(for: .zero) == .seconds(1))
        #expect(RPOMonitor.checkInterval(for: .milliseconds(200)) == .milliseconds(50))
        #expect(RPOMonitor.checkInterval(for: .milliseconds(20)) == .milliseconds(10))
        #expect(RPOMonitor.checkInterval(for: .seconds(30)) == .seconds(1))
    }

    @Test("with an RPO of zero a check does not read the log's status (it stats files); with one, a breach is raised")
    func zeroRPODoesNotReadTheLog() async {
        let wal = StatusCountingWAL()
        let alerts = AlertRecorder()
        await RPOMonitor(rpo: .zero, wal: wal, checkpointer: nil, alerts: alerts).check()
        #expect(wal.statusReads.load(ordering: .relaxed) == 0)

        // Writes pending, the last sync long ago: past a 100 ms RPO.
        wal.pending.store(true, ordering: .relaxed)
        await RPOMonitor(rpo: .milliseconds(100), wal: wal, checkpointer: nil, alerts: alerts).check()
        #expect(wal.statusReads.load(ordering: .relaxed) > 0)
        #expect(alerts.names == ["rpo_breach"])
    }

    @Test("exposure runs from the oldest pending write, not from the last sync: the first write after an idle spell is no breach")
    func exposureAfterIdle() async throws {
        var options = SegmentedWALOptions()
        options.durability = .async(flushInterval: .seconds(3600))
        options.prepareSegmentsAhead = false
        options.segmentSize = 64 << 10
        let wal = try SegmentedWAL.open(directory: "/wal", fileSystem: FaultInjectingFileSystem(seed: 5), checksum: CRC32Checksum(), options: options)
        let alerts = AlertRecorder()
        let monitor = RPOMonitor(rpo: .seconds(1), wal: wal, checkpointer: nil, alerts: alerts)
        _ = try wal.enqueue([WALRecord(kind: .put, payload: [1])])
        try await wal.sync()
        #expect(wal.status.oldestUndurableAtNanoseconds == 0)
        try await Task.sleep(for: .milliseconds(1200))  // idle, longer than the RPO
        let appended = WallClock.nanosecondsSinceEpoch()
        _ = try wal.enqueue([WALRecord(kind: .put, payload: [2])])
        #expect(wal.status.oldestUndurableAtNanoseconds >= appended)
        #expect(monitor.exposure < .milliseconds(500), "\(monitor.exposure)")
        await monitor.check()
        #expect(alerts.names.isEmpty, "a write pending for moments raised \(alerts.names)")
        try await Task.sleep(for: .milliseconds(1100))  // now pending longer than the RPO
        await monitor.check()
        #expect(alerts.names == ["rpo_breach"])
        try await wal.sync()
        #expect(monitor.exposure == .zero)
        try await wal.close()
    }
}

/// A log that only reports a status (writes pending or not) and counts how often it is read.
private final class StatusCountingWAL: WriteAheadLog {
    let statusReads = Atomic<Int>(0)
    let pending = Atomic<Bool>(false)

    func enqueue(_ records: [WALRecord]) throws -> LSN { LSN(1) }
    func waitForDurability(of lsn: LSN) async throws {}
    func sync() async throws {}
    func entries(from lsn: LSN) throws -> any WALCursor { throw MantisError(.invalidArgument, "not readable") }
    func removeSegments(below lsn: LSN) throws -> Int { 0 }
    func close() async throws {}

    var status: WALStatus {
        statusReads.add(1, ordering: .relaxed)
        var status = WALStatus()
        if pending.load(ordering: .relaxed) {
            status.lastLSN = LSN(10)
            status.durableLSN = LSN(5)
            status.lastSyncAtNanoseconds = 1  // 1970: long past any RPO
        }
        return status
    }
}

private final class AlertRecorder: AlertSink {
    let recorded = Mutex<[String]>([])
    var name: String { "recorder" }
    func send(_ alert: Alert) async { recorded.withLock { $0.append(alert.name) } }
    var names: [String] { recorded.withLock { $0 } }
}
