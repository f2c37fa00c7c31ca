import Foundation
import IntegrityKit
import IntegrityScrubber
import MantisCore
import MantisCoreTesting
import MantisDB
import ObservabilityKit
import RecoveryKit
import Testing
import WALKit

/// Each alert rule fires from a real induced condition and reaches every sink: the log, the
/// JSON-lines file and the webhook (a local HTTP server).
@Suite("Observability: alert rules from induced conditions", .serialized) struct InducedAlertTests {
    @Test("wal_failed (critical): a fault-injected fdatasync failure")
    func walFailed() async throws {
        let sinks = try await AlertSinks()
        let fs = FaultInjectingFileSystem(seed: 21)
        let db = try await Database.open(observedOptions("/db", fileSystem: fs, sinks: sinks.all))
        try await db.put(utf8("before"), utf8("ok"))
        fs.inject(FaultRule([.sync], .eio, trigger: .fromNth(1), pathContains: "/wal/"))
        await #expect(throws: MantisError.self) { try await db.put(utf8("after"), utf8("lost")) }
        #expect(await sinks.delivered("wal_failed", .critical), "\(sinks.summary)")
        let health = await HealthReport.evaluate(DatabaseHealthChecks.all(for: db))
        #expect(health.status == .critical && health.reasons.contains { $0.hasPrefix("wal: critical") }, "\(health.reasons)")
        try? await db.close()
        await sinks.remove()
    }

    @Test("slow_fsync (warning): log syncs slower than the limit")
    func slowFsync() async throws {
        let sinks = try await AlertSinks()
        let fs = SyncControlFileSystem(base: FaultInjectingFileSystem(seed: 22))
        let db = try await Database.open(observedOptions("/db", fileSystem: fs, sinks: sinks.all))
        fs.delay = .milliseconds(150)
        try await db.put(utf8("k"), utf8("slow"))
        #expect(await sinks.delivered("slow_fsync", .warning), "\(sinks.summary)")
        fs.delay = .zero
        for index in 0..<3 { try await db.put(utf8("k\(index)"), utf8("fast")) }
        #expect(await sinks.delivered("slow_fsync", .resolved), "\(sinks.summary)")
        try await db.close()
        await sinks.remove()
    }

    @Test("slow_fsync (warning): a hung fdatasync, records waiting with no sync completing")
    func hungFsync() async throws {
        let sinks = try await AlertSinks()
        let fs = SyncControlFileSystem(base: FaultInjectingFileSystem(seed: 23))
        let db = try await Database.open(observedOptions("/db", fileSystem: fs, sinks: sinks.all))
        fs.blocked = true
        let commit = Task { try await db.put(utf8("k"), utf8("waits")) }
        #expect(await sinks.delivered("slow_fsync", .warning), "\(sinks.summary)")
        fs.blocked = false
        try await commit.value
        try await db.close()
        await sinks.remove()
    }

    @Test("long_transaction (warning): a transaction left open past the limit")
    func longTransaction() async throws {
        let sinks = try await AlertSinks()
        let db = try await Database.open(observedOptions("/db", fileSystem: FaultInjectingFileSystem(seed: 24), sinks: sinks.all))
        let forgotten = try db.begin()
        try await forgotten.put(utf8("k"), utf8("v"))
        #expect(await sinks.delivered("long_transaction", .warning), "\(sinks.summary)")
        let health = await HealthReport.evaluate(DatabaseHealthChecks.all(for: db))
        #expect(health.checks.first { $0.name == "monitoring" }?.status == .degraded)
        forgotten.rollback()
        #expect(await sinks.delivered("long_transaction", .resolved), "\(sinks.summary)")
        try await db.close()
        await sinks.remove()
    }

    @Test("scrub_damage (critical): a corrupted checkpoint file found by the scrubber, quarantined and audited")
    func corruptedFile() async throws {
        let sinks = try await AlertSinks()
        let fs = FaultInjectingFileSystem(seed: 25)
        var options = observedOptions("/db", fileSystem: fs, sinks: sinks.all)
        var scrub = ScrubberOptions()
        scrub.interval = .seconds(3600)
        scrub.firstPassDelay = .seconds(3600)
        options.scrub = scrub
        options.checkpoints.keep = 2
        let db = try await Database.open(options)
        for index in 0..<200 { try await db.put(utf8("key \(index)"), Array(repeating: UInt8(index % 251), count: 100)) }
        let first = try await db.checkpoint()
        try await db.put(utf8("later"), utf8("v"))
        _ = try await db.checkpoint()
        try fs.corrupt(path: first.path, offset: first.fileBytes / 2, xor: 0x5A)
        _ = try await db.scrubber!.scrubOnce()
        #expect(await sinks.delivered("scrub_damage", .critical), "\(sinks.summary)")
        #expect(await observedEventually {
            (try? fs.readFile("/db/audit/audit.log")).map { String(decoding: $0, as: UTF8.self).contains("\"action\":\"quarantine\"") } ?? false
        }, "the quarantine is in the audit trail")
        try await db.close()
        await sinks.remove()
    }

    @Test("corruption_detected (critical): the newest checkpoint corrupted on disk is quarantined at open")
    func corruptCheckpointAtOpen() async throws {
        let sinks = try await AlertSinks()
        let fs = FaultInjectingFileSystem(seed: 26)
        let options = observedOptions("/db", fileSystem: fs, sinks: sinks.all)
        let db = try await Database.open(options)
        for index in 0..<100 { try await db.put(utf8("key \(index)"), Array(repeating: UInt8(index), count: 64)) }
        _ = try await db.checkpoint()
        try await db.put(utf8("after the first"), utf8("v"))
        let newest = try await db.checkpoint()
        try await db.put(utf8("after the second"), utf8("v"))
        try await db.close()
        try fs.corrupt(path: newest.path, offset: newest.fileBytes / 2, xor: 0x5A)
        let reopened = try await Database.open(options)
        #expect(!reopened.isReadOnly && reopened.recovery?.quarantined.count == 1)
        #expect(try reopened.get(utf8("after the second")) == utf8("v"), "recovered from the older checkpoint and the log")
        #expect(await sinks.delivered("corruption_detected", .critical), "\(sinks.summary)")
        try await reopened.close()
        let trail = String(decoding: try fs.readFile("/db/audit/audit.log"), as: UTF8.self)
        #expect(trail.contains("\"action\":\"quarantine\"") && trail.contains("\"found_by\":\"recovery\""))
        await sinks.remove()
    }

    @Test("safe_mode (critical): synced log data corrupted before a restart")
    func safeMode() async throws {
        let sinks = try await AlertSinks()
        let fs = FaultInjectingFileSystem(seed: 27)
        let options = observedOptions("/db", fileSystem: fs, sinks: sinks.all)
        let db = try await Database.open(options)
        for index in 0..<5 { try await db.put(utf8("k\(index)"), utf8("value \(index)")) }
        let segment = try #require((db.wal as? SegmentedWAL)?.segmentPaths.first)
        try await db.close()
        try fs.corrupt(path: segment, offset: Int64(WALFormat.segmentHeaderSize) + 30, xor: 0xFF)
        let reopened = try await Database.open(options)
        #expect(reopened.isReadOnly)
        #expect(await sinks.delivered("safe_mode", .critical), "\(sinks.summary)")
        try await reopened.close()
        await sinks.remove()
    }

    @Test("recovery_failed (critical): the log cannot be read at open")
    func recoveryFailed() async throws {
        let sinks = try await AlertSinks()
        let fs = FaultInjectingFileSystem(seed: 28)
        let options = observedOptions("/db", fileSystem: fs, sinks: sinks.all)
        let db = try await Database.open(options)
        try await db.put(utf8("k"), utf8("v"))
        try await db.close()
        fs.inject(FaultRule([.read, .open], .eio, trigger: .fromNth(1), pathContains: "/wal/"))
        await #expect(throws: MantisError.self) { try await Database.open(options) }
        #expect(await sinks.delivered("recovery_failed", .critical), "\(sinks.summary)")
        fs.removeAllFaults()
        let trail = String(decoding: try fs.readFile("/db/audit/audit.log"), as: UTF8.self)
        #expect(trail.contains("\"action\":\"recovery\",\"outcome\":\"failure\""))
        await sinks.remove()
    }

    @Test("disk_below_reserve (warning), escalated to critical when it lasts: a filled disk")
    func filledDisk() async throws {
        let sinks = try await AlertSinks()
        let fs = FaultInjectingFileSystem(seed: 29)
        var options = observedOptions("/db", fileSystem: fs, sinks: sinks.all)
        options.diskReserve = .bytes(2 << 20)
        options.observability.alertPolicy = AlertManager.Options(escalateAfter: .milliseconds(300), rateLimit: .zero, tickInterval: .milliseconds(20))
        let db = try await Database.open(options)
        try await db.put(utf8("k"), utf8("fits"))
        fs.capacity = fs.usedBytesForTests + (1 << 20)
        #expect(await sinks.delivered("disk_below_reserve", .warning), "\(sinks.summary)")
        await #expect(throws: MantisError.self) { try await db.put(utf8("big"), Array(repeating: 1, count: 4096)) }
        #expect(await sinks.delivered("disk_below_reserve", .critical), "escalated: \(sinks.summary)")
        fs.capacity = nil
        db.diskGuard?.refresh()
        #expect(await sinks.delivered("disk_below_reserve", .resolved), "\(sinks.summary)")
        try await db.close()
        await sinks.remove()
    }

    @Test("memory_pressure (warning): the store past its soft limit")
    func memoryPressure() async throws {
        let sinks = try await AlertSinks()
        var options = observedOptions("/db", fileSystem: FaultInjectingFileSystem(seed: 30), sinks: sinks.all)
        options.memoryLimits = MemoryGuard.Options(softLimit: 16 << 10, hardLimit: 1 << 30, sampleInterval: .zero)
        let db = try await Database.open(options)
        for index in 0..<64 { try await db.put(utf8("key \(index)"), Array(repeating: 7, count: 1024)) }
        #expect(await sinks.delivered("memory_pressure", .warning), "\(sinks.summary)")
        try await db.close()
        await sinks.remove()
    }

    @Test("rpo_breach (warning): async writes pending while the flusher is stalled")
    func rpoBreach() async throws {
        let sinks = try await AlertSinks()
        let fs = SyncControlFileSystem(base: FaultInjectingFileSystem(seed: 31))
        var options = observedOptions("/db", fileSystem: fs, sinks: sinks.all)
        options.wal.durability = .async(flushInterval: .milliseconds(20))
        options.rpo = .milliseconds(100)
        options.observability.alertRules = nil
        let db = try await Database.open(options)
        fs.blocked = true
        try await db.put(utf8("k"), utf8("acknowledged, not durable"))
        #expect(await sinks.delivered("rpo_breach", .warning), "\(sinks.summary)")
        fs.blocked = false
        #expect(await sinks.delivered("rpo_breach", .resolved), "\(sinks.summary)")
        try await db.close()
        await sinks.remove()
    }
}

extension FaultInjectingFileSystem {
    /// Bytes held by every file (what `capacity` counts), read through `diskSpace` with no capacity set.
    var usedBytesForTests: Int64 {
        let saved = capacity
        capacity = nil
        defer { capacity = saved }
        let space = (try? diskSpace("/")) ?? DiskSpace(available: 0, total: 0)
        return space.total - space.available
    }
}
