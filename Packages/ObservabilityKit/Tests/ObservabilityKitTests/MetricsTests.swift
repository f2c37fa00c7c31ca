import CoreMetrics
import IntegrityKit
import MantisCore
import MetricsTestKit
@testable import ObservabilityKit
import ObservabilityKitTesting
import Testing

@Suite("Database metrics from samples") struct MetricsTests {
    func walSample(appends: UInt64, syncs: UInt64, syncTotal: UInt64, lastSync: UInt64, groups: UInt64, groupRecords: UInt64) -> DatabaseSample {
        var sample = DatabaseSample()
        var wal = WALStatus()
        wal.appendedRecords = appends
        wal.appendedBytes = appends * 100
        wal.syncCount = syncs
        wal.syncNanosecondsTotal = syncTotal
        wal.lastSyncNanoseconds = lastSync
        wal.groupCommits = groups
        wal.groupCommittedRecords = groupRecords
        wal.lastLSN = LSN(appends)
        wal.durableLSN = LSN(appends > 2 ? appends - 2 : 0)
        wal.segmentCount = 2
        sample.wal = wal
        return sample
    }

    @Test("counters add the increase of each total; a total that goes down counts from zero")
    func counterDeltas() throws {
        let factory = TestMetrics()
        let metrics = DatabaseMetrics(factory: factory)
        metrics.record(walSample(appends: 10, syncs: 2, syncTotal: 3_000_000, lastSync: 1_000_000, groups: 2, groupRecords: 10))
        metrics.record(walSample(appends: 25, syncs: 5, syncTotal: 9_000_000, lastSync: 3_000_000, groups: 5, groupRecords: 25))
        #expect(try factory.expectCounter(MantisMetrics.walAppends.name).totalValue == 25)
        #expect(try factory.expectCounter(MantisMetrics.walAppendedBytes.name).totalValue == 2500)
        #expect(try factory.expectCounter(MantisMetrics.walFsyncs.name).totalValue == 5)
        // A new log (reopened): its totals restart.
        metrics.record(walSample(appends: 4, syncs: 1, syncTotal: 500_000, lastSync: 500_000, groups: 1, groupRecords: 4))
        #expect(try factory.expectCounter(MantisMetrics.walAppends.name).totalValue == 29)
        #expect(try factory.expectGauge(MantisMetrics.walDurableLag.name).lastValue == 2)
        #expect(try factory.expectGauge(MantisMetrics.walSegments.name).lastValue == 2)
    }

    @Test("the fsync histogram keeps the exact count and sum, with the last sync exact")
    func fsyncApproximation() throws {
        let factory = TestMetrics()
        let metrics = DatabaseMetrics(factory: factory)
        metrics.record(walSample(appends: 1, syncs: 1, syncTotal: 2_000_000, lastSync: 2_000_000, groups: 1, groupRecords: 1))
        metrics.record(walSample(appends: 9, syncs: 4, syncTotal: 11_000_000, lastSync: 6_000_000, groups: 4, groupRecords: 9))
        let timer = try factory.expectTimer(MantisMetrics.walFsyncDuration.name)
        #expect(timer.values.count == 4)
        #expect(timer.values.reduce(0, +) == 11_000_000)
        #expect(timer.values.contains(6_000_000))
        let groups = try factory.expectRecorder(MantisMetrics.walGroupCommitRecords.name)
        #expect(groups.values.count == 4)
        #expect(abs(groups.values.reduce(0, +) - 9) < 1e-9)
    }

    @Test("exact per-event observations are used when the hooks are wired")
    func exactObservations() throws {
        let factory = TestMetrics()
        var options = DatabaseMetrics.Options()
        options.approximateSyncLatency = false
        options.approximateGroupSizes = false
        let metrics = DatabaseMetrics(factory: factory, options: options)
        metrics.record(walSample(appends: 5, syncs: 3, syncTotal: 3_000_000, lastSync: 1_000_000, groups: 3, groupRecords: 5))
        metrics.recordSync(duration: .microseconds(700), records: 3)
        let timer = try factory.expectTimer(MantisMetrics.walFsyncDuration.name)
        #expect(timer.values == [700_000])
        #expect(try factory.expectRecorder(MantisMetrics.walGroupCommitRecords.name).values == [3])
    }

    @Test("transactions: commits by kind, aborts by reason, deadlocks, lock waits")
    func transactions() throws {
        let factory = TestMetrics()
        let metrics = DatabaseMetrics(factory: factory)
        var sample = DatabaseSample()
        var txn = TransactionSample()
        txn.begun = 10
        txn.committed = 6
        txn.readOnlyCommitted = 2
        txn.aborted = ["deadlock": 1, "rollback": 1]
        txn.active = 3
        txn.lockWaits = 2
        txn.lockWaitNanoseconds = 4_000_000
        sample.transactions = txn
        metrics.record(sample)
        #expect(factory.counterTotal(label: MantisMetrics.transactionCommits.name, dimensions: [("kind", "write")]) == 6)
        #expect(factory.counterTotal(label: MantisMetrics.transactionCommits.name, dimensions: [("kind", "read_only")]) == 2)
        #expect(factory.counterTotal(label: MantisMetrics.transactionAborts.name, dimensions: [("reason", "deadlock")]) == 1)
        #expect(try factory.expectCounter(MantisMetrics.deadlocks.name).totalValue == 1)
        #expect(try factory.expectGauge(MantisMetrics.activeTransactions.name).lastValue == 3)
        #expect(try factory.expectTimer(MantisMetrics.lockWaitDuration.name).values == [2_000_000, 2_000_000])
    }

    @Test("errors are counted by code and class; corruption is a checksum failure")
    func errors() throws {
        let factory = TestMetrics()
        let metrics = DatabaseMetrics(factory: factory)
        metrics.recordError(MantisError(.deadlock, "victim"))
        metrics.recordError(MantisError(.corruption, "bad value"))
        metrics.recordError(MantisError(.corruption, "bad value"))
        #expect(factory.counterTotal(label: MantisMetrics.errors.name, dimensions: [("code", "deadlock"), ("class", "transient")]) == 1)
        #expect(factory.counterTotal(label: MantisMetrics.errors.name, dimensions: [("code", "corruption"), ("class", "corruption")]) == 2)
        #expect(factory.counterTotal(label: MantisMetrics.checksumFailures.name, dimensions: [("source", "read")]) == 2)
    }

    @Test("every catalogued name follows the Prometheus conventions")
    func names() {
        for metric in MantisMetrics.all {
            #expect(metric.name.hasPrefix("mantisdb_"), "\(metric.name)")
            #expect(metric.name.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" }, "\(metric.name)")
            #expect((metric.kind == .counter) == metric.name.hasSuffix("_total"), "\(metric.name)")
            #expect(!metric.help.isEmpty)
            if metric.kind == .histogram { #expect(metric.buckets != nil, "\(metric.name)") }
        }
        #expect(Set(MantisMetrics.all.map(\.name)).count == MantisMetrics.all.count)
    }
}

@Suite("Prometheus exposition") struct PrometheusExpositionTests {
    /// An exporter with every kind of metric moved.
    func populated() -> PrometheusExporter {
        let exporter = PrometheusExporter()
        let metrics = DatabaseMetrics(factory: exporter)
        var sample = DatabaseSample()
        var wal = WALStatus()
        wal.appendedRecords = 100
        wal.appendedBytes = 12_345
        wal.syncCount = 10
        wal.syncNanosecondsTotal = 5_000_000
        wal.lastSyncNanoseconds = 400_000
        wal.groupCommits = 10
        wal.groupCommittedRecords = 100
        wal.lastLSN = 100
        wal.durableLSN = 100
        sample.wal = wal
        var txn = TransactionSample()
        txn.committed = 90
        txn.aborted = ["deadlock": 2, "serialization_failure": 1]
        sample.transactions = txn
        var checkpoints = CheckpointSample()
        checkpoints.taken = 1
        checkpoints.lastDuration = .milliseconds(40)
        checkpoints.lastFileBytes = 1000
        checkpoints.lastUncompressedBytes = 4000
        sample.checkpoints = checkpoints
        var recovery = RecoverySample()
        recovery.duration = .milliseconds(12)
        sample.recovery = recovery
        sample.scrub = ScrubSample()
        var memory = MemorySample()
        memory.usedBytes = 1 << 20
        sample.memory = memory
        sample.rpo = RPOSample(target: .milliseconds(100), exposure: .zero)
        metrics.record(sample)
        metrics.recordError(MantisError(.diskFull, "full \"quoted\" \\ path"))
        metrics.recordCommit(.microseconds(900))
        return exporter
    }

    @Test("every metric has HELP and TYPE; histograms in seconds; counters end in _total")
    func shape() {
        let text = populated().render()
        #expect(text.contains("# HELP mantisdb_wal_fsync_duration_seconds "))
        #expect(text.contains("# TYPE mantisdb_wal_fsync_duration_seconds histogram"))
        #expect(text.contains("mantisdb_wal_fsync_duration_seconds_bucket{le=\"0.0005\"}"))
        #expect(text.contains("# TYPE mantisdb_wal_appends_total counter"))
        #expect(text.contains("mantisdb_wal_appends_total 100"))
        #expect(text.contains("mantisdb_transactions_aborts_total{reason=\"deadlock\"} 2"))
        let typed = text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] }
        let helped = Set(text.split(separator: "\n").filter { $0.hasPrefix("# HELP ") }.map { $0.split(separator: " ")[2] })
        for name in typed { #expect(helped.contains(name), "no HELP for \(name)") }
    }

    @Test("the exposition passes promtool check metrics")
    func promtool() throws {
        let text = populated().render()
        guard Promtool.path != nil else {
            Issue.record(Comment(rawValue: Promtool.installHint))
            return
        }
        let (status, output) = try Promtool.check(text)
        #expect(status == 0, "promtool check metrics failed:\n\(output)\n--- exposition ---\n\(text)")
    }
}
