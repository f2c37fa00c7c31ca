import IntegrityKit
import IntegrityKitTesting
import MantisCore
import MantisCoreTesting
import Testing

@Suite struct DiskSpaceGuardTests {
    /// A 1 MB disk with `used` bytes taken by a filler file.
    func disk(used: Int) throws -> (FaultInjectingFileSystem, CountingFileSystem) {
        let fs = FaultInjectingFileSystem(seed: 1)
        try fs.createDirectory("/data")
        fs.capacity = 1_000_000
        if used > 0 { try fs.writeFileAtomically("/data/filler", contents: [UInt8](repeating: 1, count: used)) }
        return (fs, CountingFileSystem(base: fs))
    }

    @Test func refusesBelowTheReserveWithAClearErrorAndResumes() async throws {
        let (fs, counting) = try disk(used: 100_000)
        let clock = ManualClock()
        let alerts = RecordingAlertSink()
        let guardian = DiskSpaceGuard(fileSystem: counting, paths: ["/data"],
                                      options: .init(reserve: .bytes(400_000), pollInterval: .seconds(1), repollInterval: .milliseconds(10)),
                                      clock: clock, alerts: alerts)
        try guardian.admit(bytes: 1_000)
        // The disk fills behind the guard's back (another process).
        try fs.writeFileAtomically("/data/filler", contents: [UInt8](repeating: 1, count: 700_000))
        try guardian.admit(bytes: 1_000)  // the cached reading is still fresh
        clock.advance(by: .seconds(1))
        let error = try #require(throws: MantisError.self) { try guardian.admit(bytes: 1_000) }
        #expect(error.code == .diskFull)
        #expect(error.message.contains("free on /data"))
        #expect(error.message.contains("reserve"))
        #expect(error.context.metadata["available_bytes"] == "300000")
        #expect(error.context.metadata["reserve_bytes"] == "400000")
        #expect(error.context.metadata["total_bytes"] == "1000000")
        #expect(guardian.isBelowReserve)
        #expect(guardian.report.refusedWrites == 1)
        // Space comes back: after the short re-read interval the next write is admitted.
        try fs.removeItem("/data/filler")
        #expect(throws: MantisError.self) { try guardian.admit(bytes: 1_000) }  // same instant: cached verdict
        clock.advance(by: .milliseconds(10))
        try guardian.admit(bytes: 1_000)
        #expect(!guardian.isBelowReserve)
        await guardian.alertsDelivered()
        #expect(alerts.severities("disk_below_reserve") == [.warning, .resolved])
        #expect(alerts.alerts(named: "disk_below_reserve")[0].details["reserve_bytes"] == "400000")
    }

    @Test("a started guard dropped without stop() is freed at once: its polling task does not hold it while it sleeps")
    func droppedGuardIsFreed() async throws {
        let (_, counting) = try disk(used: 0)
        weak var weakGuard: DiskSpaceGuard?
        do {
            // An hour between polls: holding the guard through its sleep would keep it for an hour.
            let guardian = DiskSpaceGuard(fileSystem: counting, paths: ["/data"], options: .init(reserve: .bytes(10_000), pollInterval: .seconds(3600)))
            guardian.start()
            weakGuard = guardian
            try await Task.sleep(for: .milliseconds(100))  // the task is asleep by now
        }
        let deadline = ContinuousClock.now + .seconds(5)
        while weakGuard != nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(weakGuard == nil, "the polling task keeps a dropped guard alive while it sleeps")
    }

    @Test func admitIsCachedOnTheHotPath() throws {
        let (_, counting) = try disk(used: 0)
        let clock = ManualClock()
        let guardian = DiskSpaceGuard(fileSystem: counting, paths: ["/data"], options: .init(reserve: .bytes(10_000), pollInterval: .milliseconds(500)), clock: clock)
        for _ in 0..<1_000 { try guardian.admit(bytes: 100) }
        #expect(counting.diskSpaceCalls.load(ordering: .relaxed) == 1)
        clock.advance(by: .milliseconds(500))
        for _ in 0..<1_000 { try guardian.admit(bytes: 100) }
        #expect(counting.diskSpaceCalls.load(ordering: .relaxed) == 2)
    }

    @Test func admittedBytesCountAgainstTheCachedReadingUntilReadAgain() throws {
        let (_, counting) = try disk(used: 0)
        let clock = ManualClock()
        let guardian = DiskSpaceGuard(fileSystem: counting, paths: ["/data"],
                                      options: .init(reserve: .bytes(500_000), pollInterval: .seconds(10), repollInterval: .milliseconds(10)), clock: clock)
        try guardian.admit(bytes: 300_000)
        // The estimate (1 MB − 300 kB − 300 kB) is below the reserve: refused without a new
        // reading while the last one is younger than the re-read interval...
        #expect(throws: MantisError.self) { try guardian.admit(bytes: 300_000) }
        #expect(counting.diskSpaceCalls.load(ordering: .relaxed) == 1)
        // ...and decided on a fresh reading after it (nothing was really written: admitted).
        clock.advance(by: .milliseconds(10))
        try guardian.admit(bytes: 300_000)
        #expect(counting.diskSpaceCalls.load(ordering: .relaxed) == 2)
        #expect(guardian.report.admittedSinceReading == 300_000)
    }

    @Test func percentReserveAndEveryWatchedPath() throws {
        let fs = FaultInjectingFileSystem(seed: 1)
        try fs.createDirectory("/data")
        try fs.createDirectory("/archive")
        fs.capacity = 1_000_000
        try fs.writeFileAtomically("/archive/segment", contents: [UInt8](repeating: 0, count: 960_000))
        let guardian = DiskSpaceGuard(fileSystem: fs, paths: ["/data", "/archive"], options: .init(reserve: .percent(5), pollInterval: .zero), clock: ManualClock())
        let error = try #require(throws: MantisError.self) { try guardian.admit(bytes: 1) }
        #expect(error.context.metadata["reserve_bytes"] == "50000")
        #expect(DiskReserve.percent(5).bytes(ofTotal: 1_000_000) == 50_000)
        #expect(throws: MantisError.self) { try DiskReserve.percent(150).validate() }
        #expect(throws: MantisError.self) { try DiskReserve.bytes(-1).validate() }
    }

    @Test func aPathNotCreatedYetIsMeasuredAtItsParent() async throws {
        let (_, counting) = try disk(used: 0)
        let alerts = RecordingAlertSink()
        let guardian = DiskSpaceGuard(fileSystem: counting, paths: ["/data", "/data/archive/wal"], options: .init(reserve: .bytes(1_000), pollInterval: .zero),
                                      clock: ManualClock(), alerts: alerts)
        try guardian.admit(bytes: 10)
        #expect(guardian.report.entries.allSatisfy { $0.available == 1_000_000 && $0.error == nil })
        await guardian.alertsDelivered()
        #expect(alerts.alerts.isEmpty)
    }

    @Test func unreadableFreeSpaceAdmitsAndAlerts() async throws {
        let (_, counting) = try disk(used: 0)
        counting.failDiskSpace.store(true, ordering: .relaxed)
        let alerts = RecordingAlertSink()
        let guardian = DiskSpaceGuard(fileSystem: counting, paths: ["/data"], options: .init(reserve: .bytes(1), pollInterval: .zero), clock: ManualClock(), alerts: alerts)
        try guardian.admit(bytes: 10)
        counting.failDiskSpace.store(false, ordering: .relaxed)
        try guardian.admit(bytes: 10)
        await guardian.alertsDelivered()
        #expect(alerts.severities("disk_space_unknown") == [.warning, .resolved])
        #expect(await guardian.check().status == .healthy)
    }

    @Test func healthFollowsTheReserve() async throws {
        let (fs, _) = try disk(used: 0)
        let guardian = DiskSpaceGuard(fileSystem: fs, paths: ["/data"], options: .init(reserve: .bytes(300_000), pollInterval: .zero), clock: ManualClock())
        guardian.refresh()
        #expect(await guardian.check().status == .healthy)
        try fs.writeFileAtomically("/data/filler", contents: [UInt8](repeating: 1, count: 500_000))
        guardian.refresh()
        #expect(await guardian.check().status == .degraded)
        try fs.removeItem("/data/filler")
        try fs.writeFileAtomically("/data/filler", contents: [UInt8](repeating: 1, count: 800_000))
        guardian.refresh()
        let result = await guardian.check()
        #expect(result.status == .critical)
        #expect(result.reason.contains("writes refused"))
    }

    @Test func backgroundMonitorResolvesWithoutWrites() async throws {
        let (fs, _) = try disk(used: 900_000)
        let clock = ManualClock(autoAdvance: false)
        let alerts = RecordingAlertSink()
        let guardian = DiskSpaceGuard(fileSystem: fs, paths: ["/data"], options: .init(reserve: .bytes(200_000), pollInterval: .seconds(1)), clock: clock, alerts: alerts)
        guardian.start()
        await clock.waitForSleepers(1)
        clock.advance(by: .seconds(1))
        await clock.waitForSleepers(1)
        #expect(guardian.isBelowReserve)
        try fs.removeItem("/data/filler")
        clock.advance(by: .seconds(1))
        await clock.waitForSleepers(1)
        await guardian.stop()
        await guardian.alertsDelivered()
        #expect(alerts.severities("disk_below_reserve") == [.warning, .resolved])
    }
}
