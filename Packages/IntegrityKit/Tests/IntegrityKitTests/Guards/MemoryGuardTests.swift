import IntegrityKit
import IntegrityKitTesting
import MantisCore
import Synchronization
import Testing
import TxnKit
import WALKit

@Suite struct MemoryGuardTests {
    final class Meter: Sendable {
        let bytes = Atomic<Int>(0)
        let reliefs = Atomic<Int>(0)
        /// What relief brings usage down to (nil: it frees nothing).
        let afterRelief = Mutex<Int?>(nil)
        var usage: Int {
            get { bytes.load(ordering: .relaxed) }
            set { bytes.store(newValue, ordering: .relaxed) }
        }
        func relieve() {
            reliefs.add(1, ordering: .relaxed)
            if let target = afterRelief.withLock({ $0 }) { bytes.store(target, ordering: .relaxed) }
        }
    }

    func make(clock: ManualClock = ManualClock(), alerts: any AlertSink = NoAlertSink(), reliefInterval: Duration = .zero) -> (MemoryGuard, Meter) {
        let meter = Meter()
        let guardian = MemoryGuard(
            options: .init(softLimit: 1_000, hardLimit: 2_000, sampleInterval: .zero, reliefInterval: reliefInterval, maxBackpressure: .milliseconds(20)),
            usage: { meter.usage }, relieve: { meter.relieve() }, clock: clock, alerts: alerts)
        return (guardian, meter)
    }

    @Test func levelsRefusalAndResumption() async throws {
        let alerts = RecordingAlertSink()
        let (guardian, meter) = make(alerts: alerts)
        meter.usage = 500
        try guardian.admit(bytes: 100)
        #expect(meter.reliefs.load(ordering: .relaxed) == 0)

        meter.usage = 1_500
        try guardian.admit(bytes: 100)
        await guardian.reliefCompleted()
        #expect(meter.reliefs.load(ordering: .relaxed) == 1, "past the soft limit relief runs")

        meter.usage = 2_500
        let error = try #require(throws: MantisError.self) { try guardian.admit(bytes: 100) }
        #expect(error.code == .memoryLimit)
        #expect(error.message.contains("hard limit"))
        #expect(error.context.metadata["usage_bytes"] == "2500")
        #expect(error.context.metadata["hard_limit_bytes"] == "2000")
        try guardian.admit(bytes: 100, deletesOnly: true)
        #expect(guardian.report.level == .hard)
        #expect(await guardian.check().status == .critical)

        // Relief (garbage collection) frees memory: writes resume by themselves.
        meter.afterRelief.withLock { $0 = 400 }
        await guardian.reliefCompleted()
        _ = await guardian.relieveNow()
        try guardian.admit(bytes: 100)
        #expect(guardian.report.level == .normal)
        #expect(guardian.report.refusedWrites == 1)
        await guardian.alertsDelivered()
        #expect(alerts.severities("memory_pressure") == [.warning, .critical, .resolved])
    }

    @Test func aWriteThatWouldCrossTheHardLimitIsRefused() throws {
        let (guardian, meter) = make()
        meter.usage = 1_950
        #expect(throws: MantisError.self) { try guardian.admit(bytes: 100) }
        try guardian.admit(bytes: 50)
    }

    @Test func reliefIsThrottled() async throws {
        let clock = ManualClock()
        let (guardian, meter) = make(clock: clock, reliefInterval: .seconds(1))
        meter.usage = 1_500
        for _ in 0..<10 {
            try guardian.admit(bytes: 1)
            await guardian.reliefCompleted()
        }
        #expect(meter.reliefs.load(ordering: .relaxed) == 1)
        clock.advance(by: .seconds(1))
        try guardian.admit(bytes: 1)
        await guardian.reliefCompleted()
        #expect(meter.reliefs.load(ordering: .relaxed) == 2)
    }

    @Test func backpressureGrowsWithPressure() async throws {
        let clock = ManualClock()
        let (guardian, meter) = make(clock: clock, reliefInterval: .seconds(100))
        meter.usage = 900
        try await guardian.admitWithBackpressure(bytes: 10)
        meter.usage = 1_500
        try await guardian.admitWithBackpressure(bytes: 10)
        meter.usage = 1_990
        try await guardian.admitWithBackpressure(bytes: 10)
        try await guardian.admitWithBackpressure(bytes: 10, deletesOnly: true)
        #expect(clock.sleeps == [.milliseconds(10), .microseconds(19_800)])
    }

    /// The store, the transaction manager and the guard together: overwrites pile up versions
    /// while a snapshot is pinned, writes are refused past the hard limit, reads continue, and
    /// once the pin is released the guard's own relief (garbage collection) lets writes resume.
    @Test func storeWritesAreRefusedPastTheLimitAndResumeAfterCollection() async throws {
        let store = MVCCStore(checksum: CRC32Checksum())
        let wal = InMemoryWAL()
        let managerBox = Mutex<TransactionManager?>(nil)
        let collected = Atomic<Int>(0)
        let base = store.statistics.approximateBytes
        let guardian = MemoryGuard(
            options: .init(softLimit: base + 200_000, hardLimit: base + 400_000, sampleInterval: .zero, reliefInterval: .zero),
            usage: { store.statistics.approximateBytes + wal.status.pendingBytes },
            relieve: {
                if let manager = managerBox.withLock({ $0 }) { collected.add(manager.collectGarbage(), ordering: .relaxed) }
            })
        let manager = TransactionManager(store: store, wal: wal, lockManager: WaitForGraphLockManager(defaultTimeout: .seconds(5)),
                                         lastCommit: 0, nextTransactionID: TransactionID(1), admission: [guardian])
        managerBox.withLock { $0 = manager }

        let pin = manager.pinSnapshot()
        var latest: [Int: [UInt8]] = [:]
        var refusal: MantisError?
        outer: for round in 0..<200 {
            for key in 0..<20 {
                let value = Fixture.value(key, version: round, size: 1_000)
                let txn = manager.begin()
                try await txn.put(Fixture.key(key), value)
                do {
                    try await txn.commit()
                    latest[key] = value
                } catch let error as MantisError {
                    refusal = error
                    break outer
                }
            }
        }
        let error = try #require(refusal)
        #expect(error.code == .memoryLimit)
        // Reads continue, and see every acknowledged write.
        let reader = manager.begin()
        for (key, value) in latest { #expect(try reader.get(Fixture.key(key)) == value) }
        reader.rollback()
        #expect(collected.load(ordering: .relaxed) == 0, "nothing can be collected while the snapshot is pinned")

        pin.release()
        // The next write past the soft limit starts relief (the one started while the snapshot
        // was pinned freed nothing); once it has run, writes resume by themselves.
        await guardian.reliefCompleted()
        let retry = manager.begin()
        try await retry.put(Fixture.key(0), [9])
        do { try await retry.commit() } catch let error as MantisError where error.code == .memoryLimit {}
        await guardian.reliefCompleted()
        #expect(collected.load(ordering: .relaxed) > 0)
        let txn = manager.begin()
        try await txn.put(Fixture.key(0), [1, 2, 3])
        try await txn.commit()
        #expect(guardian.report.usage < base + 400_000)
    }

    /// Deletes are admitted past the hard limit and, once collected, free memory for writes.
    @Test func deletesFreeMemoryPastTheHardLimit() async throws {
        let store = MVCCStore(checksum: CRC32Checksum())
        let base = store.statistics.approximateBytes
        let guardian = MemoryGuard(options: .init(softLimit: base + 50_000, hardLimit: base + 100_000, sampleInterval: .zero, reliefInterval: .zero),
                                   usage: { store.statistics.approximateBytes },
                                   relieve: { store.collectGarbage(oldestActiveSnapshot: store.statistics.newestCommit) })
        var commit: UInt64 = 0
        var keys = 0
        while true {
            do {
                try guardian.admit(bytes: 1_000)
            } catch {
                break
            }
            commit += 1
            store.install(key: Fixture.key(keys), value: Fixture.value(keys, size: 1_000), at: commit)
            keys += 1
        }
        #expect(throws: MantisError.self) { try guardian.admit(bytes: 1_000) }
        try guardian.admit(bytes: 100 * keys, deletesOnly: true)
        commit += 1
        store.install((0..<keys).map { (key: Fixture.key($0), value: nil) }, at: commit)
        await guardian.relieveNow()
        try guardian.admit(bytes: 1_000)
        #expect(guardian.report.level == .normal)
        #expect(try store.get(Fixture.key(0), at: commit) == nil)
    }
}
