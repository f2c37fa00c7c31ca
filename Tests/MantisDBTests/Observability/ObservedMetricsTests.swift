import Foundation
import Logging
import MantisCore
import MantisCoreTesting
import MantisDB
import MetricsTestKit
import ObservabilityKit
import ObservabilityKitTesting
import Testing
import TxnKit

@Suite("Observability: metrics of a working database") struct ObservedMetricsTests {
    /// Commits, a rollback, a deadlock, a failed transaction and a checkpoint.
    func work(_ db: Database) async throws {
        for index in 0..<20 { try await db.put(utf8("k\(index)"), utf8("value \(index)")) }
        try await db.transaction { txn in
            try await txn.put(utf8("a"), utf8("1"))
            try await txn.put(utf8("b"), utf8("2"))
        }
        let abandoned = try db.begin()
        try await abandoned.put(utf8("x"), utf8("never"))
        abandoned.rollback()
        await #expect(throws: MantisError.self) {
            try await db.transaction { _ in throw MantisError(.invalidArgument, "the application gave up") }
        }
        // Two transactions lock a then b and b then a: one is the deadlock victim.
        let first = try db.begin(.readCommitted)
        let second = try db.begin(.readCommitted)
        try await first.put(utf8("d1"), utf8("1"))
        try await second.put(utf8("d2"), utf8("2"))
        async let one: Void = { try await first.put(utf8("d2"), utf8("1")); try await first.commit() }()
        async let two: Void = {
            try await Task.sleep(for: .milliseconds(30))
            try await second.put(utf8("d1"), utf8("2"))
            try await second.commit()
        }()
        var failures = 0
        do { try await one } catch { failures += 1 }
        do { try await two } catch { failures += 1 }
        #expect(failures == 1, "one deadlock victim")
        try await db.checkpoint()
    }

    @Test("counters and histograms move as the database works (MetricsTestKit)")
    func moving() async throws {
        let fs = FaultInjectingFileSystem(seed: 11)
        let metrics = TestMetrics()
        var options = observedOptions("/db", fileSystem: fs, sinks: [])
        options.observability.metricsFactory = metrics
        let db = try await Database.open(options)
        db.observability.refreshMetrics()
        #expect(try metrics.expectCounter(MantisMetrics.walAppends.name).totalValue == 0)
        try await work(db)
        db.observability.refreshMetrics()

        let appends = try metrics.expectCounter(MantisMetrics.walAppends.name).totalValue
        let statistics = db.wal.status
        #expect(appends == Int64(statistics.appendedRecords) && appends >= 22)
        let fsyncs = try metrics.expectCounter(MantisMetrics.walFsyncs.name).totalValue
        #expect(fsyncs == Int64(statistics.syncCount) && fsyncs >= 22)
        let fsyncTimer = try metrics.expectTimer(MantisMetrics.walFsyncDuration.name)
        #expect(fsyncTimer.values.count == Int(fsyncs), "one observation per fdatasync")
        #expect(fsyncTimer.values.reduce(0, +) == Int64(statistics.syncNanosecondsTotal))
        #expect(try metrics.expectRecorder(MantisMetrics.walGroupCommitRecords.name).values.count == Int(statistics.groupCommits))
        #expect(metrics.counterTotal(label: MantisMetrics.transactionCommits.name, dimensions: [("kind", "write")]) == 22)
        #expect(metrics.counterTotal(label: MantisMetrics.transactionAborts.name, dimensions: [("reason", "rollback")]) >= 2)
        #expect(metrics.counterTotal(label: MantisMetrics.transactionAborts.name, dimensions: [("reason", "deadlock")]) == 1)
        #expect(try metrics.expectCounter(MantisMetrics.deadlocks.name).totalValue == 1)
        let lockRequests = try metrics.expectCounter(MantisMetrics.lockWaits.name).totalValue
        #expect(lockRequests >= 25)
        let lockWaitTimer = try metrics.expectTimer(MantisMetrics.lockWaitDuration.name)
        #expect(lockWaitTimer.values.count == Int(lockRequests), "one observation per lock request (not approximated)")
        #expect(lockWaitTimer.values.contains { $0 >= 25_000_000 }, "the deadlock's survivor waited about 30 ms")
        #expect(try metrics.expectTimer(MantisMetrics.commitDuration.name).values.count == 21, "20 puts and one transaction through Database.transaction")
        #expect(metrics.counterTotal(label: MantisMetrics.errors.name, dimensions: [("code", "invalid_argument"), ("class", "permanent")]) == 1)
        #expect(metrics.counterTotal(label: MantisMetrics.checkpoints.name, dimensions: [("result", "success")]) == 1)
        #expect(try metrics.expectTimer(MantisMetrics.checkpointDuration.name).values.count == 1)
        // Two more between samples: each observed with its own duration (not the last one twice).
        try await db.checkpoint()
        try await db.checkpoint()
        db.observability.refreshMetrics()
        let checkpointTimes = try metrics.expectTimer(MantisMetrics.checkpointDuration.name).values
        #expect(checkpointTimes.count == 3 && Set(checkpointTimes).count == 3, "\(checkpointTimes)")
        #expect(try metrics.expectGauge(MantisMetrics.checkpointKeys.name).lastValue == Double(db.store.statistics.liveKeys))
        #expect(try metrics.expectGauge(MantisMetrics.checkpointRatio.name).lastValue ?? 0 > 0)
        #expect(try metrics.expectGauge(MantisMetrics.activeTransactions.name).lastValue == 0)
        #expect(try metrics.expectGauge(MantisMetrics.storeKeys.name).lastValue == Double(db.store.statistics.liveKeys))
        #expect(try metrics.expectGauge(MantisMetrics.memoryUsed.name).lastValue ?? 0 > 0)
        #expect(try metrics.expectGauge(MantisMetrics.recoveryResult.name, [("result", "normal")]).lastValue == 1)
        #expect(try metrics.expectGauge(MantisMetrics.recoveryCleanShutdown.name).lastValue == 0)
        #expect(try metrics.expectGauge(MantisMetrics.walFailed.name).lastValue == 0)
        #expect(try metrics.expectGauge(MantisMetrics.quarantinedFiles.name).lastValue == 0)
        #expect(try metrics.expectCounter(MantisMetrics.auditEntries.name).totalValue >= 2, "open and recovery were audited")
        try await db.close()

        // Reopened after a clean shutdown: the recovery metrics say so.
        let reopenedMetrics = TestMetrics()
        options.observability.metricsFactory = reopenedMetrics
        let again = try await Database.open(options)
        again.observability.refreshMetrics()
        #expect(try reopenedMetrics.expectGauge(MantisMetrics.recoveryCleanShutdown.name).lastValue == 1)
        #expect(try reopenedMetrics.expectGauge(MantisMetrics.recoveryReplayedRecords.name).lastValue ?? 0 >= 0)
        #expect(try reopenedMetrics.expectGauge(MantisMetrics.recoveryDuration.name).lastValue ?? -1 >= 0)
        try await again.close()
    }

    @Test("the Prometheus exposition of a working database passes promtool check metrics")
    func promtool() async throws {
        let fs = FaultInjectingFileSystem(seed: 12)
        let backend = MetricsBackend.prometheus()
        var options = observedOptions("/db", fileSystem: fs, sinks: [LoggingAlertSink(logger: Logger(label: "x", factory: { _ in SwiftLogNoOpLogHandler() }))])
        options.observability.metricsFactory = backend.factory
        options.diskReserve = .bytes(1 << 20)
        options.rpo = .milliseconds(500)
        let db = try await Database.open(options)
        try await work(db)
        db.observability.refreshMetrics()
        let text = backend.render()
        // Not exported here: no scrubber, no memory limits, no alert sent, no failure.
        let absent = [MantisMetrics.scrubPasses, MantisMetrics.scrubBytes, MantisMetrics.scrubFiles, MantisMetrics.scrubProgress,
                      MantisMetrics.scrubInProgress, MantisMetrics.scrubFindings, MantisMetrics.scrubUnresolved, MantisMetrics.memorySoftLimit,
                      MantisMetrics.memoryHardLimit, MantisMetrics.memoryRefusedWrites, MantisMetrics.alerts, MantisMetrics.alertDeliveryFailures,
                      MantisMetrics.auditFailures].map(\.name)
        for metric in MantisMetrics.all where !absent.contains(metric.name) {
            #expect(text.contains("# TYPE \(metric.name) "), "\(metric.name) is not exported")
        }
        guard Promtool.path != nil else {
            Issue.record(Comment(rawValue: Promtool.installHint))
            try await db.close()
            return
        }
        let (status, output) = try Promtool.check(text)
        #expect(status == 0, "promtool check metrics failed:\n\(output)\n--- exposition ---\n\(text)")
        try await db.close()
    }

    @Test("Docs/observability.md lists every metric")
    func documented() throws {
        let docs = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Docs/observability.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        for metric in MantisMetrics.all {
            #expect(text.contains("`\(metric.name)`"), "\(metric.name) is not documented")
        }
    }
}
