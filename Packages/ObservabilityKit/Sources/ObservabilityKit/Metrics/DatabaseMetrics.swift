import CoreMetrics
import IntegrityKit
import MantisCore
import Synchronization

/// Turns `DatabaseSample`s and per-event observations into swift-metrics counters, gauges and
/// histograms (names: `MantisMetrics`), through the injected factory — never the global one.
///
/// Counters come from the components' monotonic totals: each sample adds the increase since the
/// previous one (a total that went down — a component replaced — counts from zero again), so the
/// Kits need no metrics dependency. Histograms need one observation per event; until the Kits
/// report each event (see `Options`), they are approximated from the totals: fsync latency from
/// the last sync's exact latency plus the mean of the others since the previous sample, lock waits
/// and group sizes from their means. Sums and counts stay exact; bucket placement is approximate.
public final class DatabaseMetrics: Sendable {
    public struct Options: Sendable {
        /// Approximate the fsync histogram from `WALStatus` (false once `recordSync` is wired to
        /// a per-sync hook of the log).
        public var approximateSyncLatency = true
        /// Approximate lock-wait and group-size histograms from totals.
        public var approximateLockWaits = true
        public var approximateGroupSizes = true
        /// Record checkpoint durations from the checkpointer's status (false once
        /// `recordCheckpoint` is called by a checkpointer hook).
        public var checkpointDurationFromStatus = true
        /// The most observations one sample adds to one approximated histogram.
        public var maxApproximatedObservations = 10_000
        /// How errors are classified for `mantisdb_errors_total`.
        public var classification = ErrorClassification.standard

        public init() {}
    }

    public let options: Options
    let factory: any MetricsFactory
    let state: Mutex<State>

    // Per-event instruments.
    let fsyncDuration: Timer
    let groupCommitRecords: Recorder
    let lockWaitDuration: Timer
    let commitDuration: Timer
    let checkpointDuration: Timer

    struct State {
        var totals: [String: UInt64] = [:]
        var counters: [String: Counter] = [:]
        var gauges: [String: Gauge] = [:]
    }

    public init(factory: any MetricsFactory, options: Options = Options()) {
        self.factory = factory
        self.options = options
        self.state = Mutex(State())
        fsyncDuration = Timer(label: MantisMetrics.walFsyncDuration.name, dimensions: [], factory: factory)
        groupCommitRecords = Recorder(label: MantisMetrics.walGroupCommitRecords.name, dimensions: [], aggregate: true, factory: factory)
        lockWaitDuration = Timer(label: MantisMetrics.lockWaitDuration.name, dimensions: [], factory: factory)
        commitDuration = Timer(label: MantisMetrics.commitDuration.name, dimensions: [], factory: factory)
        checkpointDuration = Timer(label: MantisMetrics.checkpointDuration.name, dimensions: [], factory: factory)
    }

    // MARK: Per-event observations

    /// One WAL sync: its latency and how many records it made durable. Wire it to the log's
    /// per-sync hook and set `approximateSyncLatency` and `approximateGroupSizes` to false.
    public func recordSync(duration: Duration, records: Int) {
        fsyncDuration.recordNanoseconds(duration.nanosecondsClamped)
        if records > 0 { groupCommitRecords.record(records) }
    }

    /// One lock wait (with `approximateLockWaits` false).
    public func recordLockWait(_ duration: Duration) {
        lockWaitDuration.recordNanoseconds(duration.nanosecondsClamped)
    }

    /// One commit, from the commit call to its durable acknowledgement.
    public func recordCommit(_ duration: Duration) {
        commitDuration.recordNanoseconds(duration.nanosecondsClamped)
    }

    /// One completed checkpoint (with `checkpointDurationFromStatus` false).
    public func recordCheckpoint(_ duration: Duration) {
        checkpointDuration.recordNanoseconds(duration.nanosecondsClamped)
    }

    /// Counts an error returned to a caller by code and class; corruption also counts as a
    /// checksum failure found by a read. Returns the classification.
    @discardableResult
    public func recordError(_ error: any Error) -> ClassifiedError {
        let classified = options.classification.classify(error)
        state.withLock { state in
            counter(MantisMetrics.errors, [("code", classified.code.rawValue), ("class", classified.errorClass.rawValue)], in: &state).increment()
            if classified.errorClass == .corruption, classified.code != .tornWrite {
                counter(MantisMetrics.checksumFailures, [("source", "read")], in: &state).increment()
            }
        }
        return classified
    }

    // MARK: Samples

    /// Updates every gauge and counter from `sample`.
    public func record(_ sample: DatabaseSample) {
        state.withLock { state in
            if let wal = sample.wal { record(wal, in: &state) }
            if let transactions = sample.transactions { record(transactions, in: &state) }
            if let checkpoints = sample.checkpoints { record(checkpoints, now: sample.timeNanoseconds, in: &state) }
            if let recovery = sample.recovery { record(recovery, in: &state) }
            if let scrub = sample.scrub { record(scrub, in: &state) }
            if let disk = sample.disk { record(disk, in: &state) }
            if let memory = sample.memory { record(memory, in: &state) }
            if let rpo = sample.rpo {
                gauge(MantisMetrics.rpoExposure, in: &state).record(rpo.exposure.secondsDouble)
                gauge(MantisMetrics.rpoTarget, in: &state).record(rpo.target.secondsDouble)
            }
            gauge(MantisMetrics.readOnly, in: &state).record(sample.readOnly ? 1 : 0)
            if let keys = sample.storeKeys { gauge(MantisMetrics.storeKeys, in: &state).record(keys) }
            if let versions = sample.storeVersions { gauge(MantisMetrics.storeVersions, in: &state).record(versions) }
            if let quarantined = sample.quarantinedFiles { gauge(MantisMetrics.quarantinedFiles, in: &state).record(quarantined) }
        }
    }

    private func record(_ wal: WALStatus, in state: inout State) {
        add(MantisMetrics.walAppends, total: wal.appendedRecords, in: &state)
        add(MantisMetrics.walAppendedBytes, total: wal.appendedBytes, in: &state)
        let syncs = add(MantisMetrics.walFsyncs, total: wal.syncCount, in: &state)
        let syncNanos = delta("wal.sync_ns", total: wal.syncNanosecondsTotal, in: &state)
        let groups = add(MantisMetrics.walGroupCommits, total: wal.groupCommits, in: &state)
        let groupRecords = delta("wal.group_records", total: wal.groupCommittedRecords, in: &state)
        if options.approximateSyncLatency, syncs > 0 {
            approximate(count: syncs, total: syncNanos, last: wal.lastSyncNanoseconds) { fsyncDuration.recordNanoseconds(Int64(clamping: $0)) }
        }
        if options.approximateGroupSizes, groups > 0 {
            let mean = Double(groupRecords) / Double(groups)
            for _ in 0..<min(groups, UInt64(options.maxApproximatedObservations)) { groupCommitRecords.record(mean) }
        }
        gauge(MantisMetrics.walSegments, in: &state).record(wal.segmentCount)
        gauge(MantisMetrics.walSizeBytes, in: &state).record(wal.totalBytes)
        gauge(MantisMetrics.walPendingBytes, in: &state).record(wal.pendingBytes)
        gauge(MantisMetrics.walLastLSN, in: &state).record(Double(wal.lastLSN.rawValue))
        gauge(MantisMetrics.walDurableLSN, in: &state).record(Double(wal.durableLSN.rawValue))
        let lag = wal.lastLSN.rawValue > wal.durableLSN.rawValue ? wal.lastLSN.rawValue - wal.durableLSN.rawValue : 0
        gauge(MantisMetrics.walDurableLag, in: &state).record(Double(lag))
        gauge(MantisMetrics.walFailed, in: &state).record(wal.failure == nil ? 0 : 1)
        gauge(MantisMetrics.walLastSyncTimestamp, in: &state).record(Double(wal.lastSyncAtNanoseconds) / 1e9)
    }

    private func record(_ transactions: TransactionSample, in state: inout State) {
        add(MantisMetrics.transactionsBegun, total: transactions.begun, in: &state)
        add(MantisMetrics.transactionCommits, [("kind", "write")], total: transactions.committed, in: &state)
        add(MantisMetrics.transactionCommits, [("kind", "read_only")], total: transactions.readOnlyCommitted, in: &state)
        for (reason, total) in transactions.aborted.sorted(by: { $0.key < $1.key }) {
            add(MantisMetrics.transactionAborts, [("reason", reason)], total: total, in: &state)
        }
        add(MantisMetrics.deadlocks, total: transactions.aborted["deadlock"] ?? 0, in: &state)
        gauge(MantisMetrics.activeTransactions, in: &state).record(transactions.active)
        let waits = add(MantisMetrics.lockWaits, total: transactions.lockWaits, in: &state)
        let waitNanos = delta("txn.lock_wait_ns", total: transactions.lockWaitNanoseconds, in: &state)
        if options.approximateLockWaits, waits > 0 {
            approximate(count: waits, total: waitNanos, last: nil) { lockWaitDuration.recordNanoseconds(Int64(clamping: $0)) }
        }
    }

    private func record(_ checkpoints: CheckpointSample, now: UInt64, in state: inout State) {
        let taken = add(MantisMetrics.checkpoints, [("result", "success")], total: checkpoints.taken, in: &state)
        add(MantisMetrics.checkpoints, [("result", "failure")], total: checkpoints.failed, in: &state)
        add(MantisMetrics.walSegmentsRemoved, total: checkpoints.segmentsRemoved, in: &state)
        if options.checkpointDurationFromStatus, taken > 0, let duration = checkpoints.lastDuration {
            for _ in 0..<min(taken, 100) { checkpointDuration.recordNanoseconds(duration.nanosecondsClamped) }
        }
        if let bytes = checkpoints.lastFileBytes { gauge(MantisMetrics.checkpointSizeBytes, in: &state).record(bytes) }
        if let bytes = checkpoints.lastUncompressedBytes { gauge(MantisMetrics.checkpointUncompressedBytes, in: &state).record(Double(bytes)) }
        if let keys = checkpoints.lastKeys { gauge(MantisMetrics.checkpointKeys, in: &state).record(Double(keys)) }
        if let file = checkpoints.lastFileBytes, file > 0, let raw = checkpoints.lastUncompressedBytes {
            gauge(MantisMetrics.checkpointRatio, in: &state).record(Double(raw) / Double(file))
        }
        if let lsn = checkpoints.lastLSN { gauge(MantisMetrics.checkpointLSN, in: &state).record(Double(lsn)) }
        let since = checkpoints.lastCompletedAtNanoseconds ?? checkpoints.startedAtNanoseconds
        gauge(MantisMetrics.checkpointAge, in: &state).record(now > since ? Double(now - since) / 1e9 : 0)
        gauge(MantisMetrics.checkpointConsecutiveFailures, in: &state).record(checkpoints.consecutiveFailures)
        gauge(MantisMetrics.checkpointInProgress, in: &state).record(checkpoints.inProgress ? 1 : 0)
    }

    private func record(_ recovery: RecoverySample, in state: inout State) {
        gauge(MantisMetrics.recoveryDuration, in: &state).record(recovery.duration.secondsDouble)
        gauge(MantisMetrics.recoveryReplayedRecords, in: &state).record(recovery.recordsReplayed)
        gauge(MantisMetrics.recoveryReplayedTransactions, in: &state).record(recovery.transactionsReplayed)
        gauge(MantisMetrics.recoveryDroppedTransactions, in: &state).record(recovery.droppedIncomplete)
        gauge(MantisMetrics.recoveryCleanShutdown, in: &state).record(recovery.cleanShutdown ? 1 : 0)
        gauge(MantisMetrics.recoveryTornTailRepairs, in: &state).record(recovery.tornTailRepairs)
        gauge(MantisMetrics.recoveryResult, [("result", "normal")], in: &state).record(recovery.safeMode ? 0 : 1)
        gauge(MantisMetrics.recoveryResult, [("result", "safe_mode")], in: &state).record(recovery.safeMode ? 1 : 0)
        add(MantisMetrics.checksumFailures, [("source", "recovery")], total: UInt64(recovery.quarantined), in: &state)
    }

    private func record(_ scrub: ScrubSample, in state: inout State) {
        add(MantisMetrics.scrubPasses, total: UInt64(scrub.passes), in: &state)
        add(MantisMetrics.scrubBytes, total: UInt64(max(0, scrub.bytesChecked)), in: &state)
        add(MantisMetrics.scrubFiles, total: UInt64(scrub.filesChecked), in: &state)
        add(MantisMetrics.scrubFindings, total: UInt64(scrub.findingsTotal), in: &state)
        add(MantisMetrics.checksumFailures, [("source", "scrub")], total: UInt64(max(0, scrub.findingsTotal - scrub.transientFindings)), in: &state)
        gauge(MantisMetrics.scrubProgress, in: &state).record(scrub.inProgress ? (scrub.progress ?? 0) : 1)
        gauge(MantisMetrics.scrubInProgress, in: &state).record(scrub.inProgress ? 1 : 0)
        gauge(MantisMetrics.scrubUnresolved, in: &state).record(scrub.unresolved)
    }

    private func record(_ disk: DiskSpaceReport, in state: inout State) {
        for entry in disk.entries {
            let labels = [("path", entry.path)]
            if let available = entry.available { gauge(MantisMetrics.diskFree, labels, in: &state).record(available) }
            if let total = entry.total { gauge(MantisMetrics.diskTotal, labels, in: &state).record(total) }
            if let reserve = entry.reserve { gauge(MantisMetrics.diskReserve, labels, in: &state).record(reserve) }
        }
        gauge(MantisMetrics.diskBelowReserve, in: &state).record(disk.belowReserve ? 1 : 0)
        add(MantisMetrics.diskRefusedWrites, total: disk.refusedWrites, in: &state)
    }

    private func record(_ memory: MemorySample, in state: inout State) {
        gauge(MantisMetrics.memoryUsed, in: &state).record(memory.usedBytes)
        if let soft = memory.softLimit { gauge(MantisMetrics.memorySoftLimit, in: &state).record(soft) }
        if let hard = memory.hardLimit, hard < Int.max { gauge(MantisMetrics.memoryHardLimit, in: &state).record(hard) }
        gauge(MantisMetrics.memoryPressure, in: &state).record(memory.level)
        add(MantisMetrics.memoryRefusedWrites, total: memory.refusedWrites, in: &state)
    }

    // MARK: Helpers

    /// Records `count` observations totalling `total` nanoseconds: `last` exactly (if known), the
    /// others at their mean, at most `maxApproximatedObservations`.
    private func approximate(count: UInt64, total: UInt64, last: UInt64?, _ observe: (UInt64) -> Void) {
        var remaining = count
        var rest = total
        if let last, last > 0 {
            observe(last)
            remaining -= 1
            rest = total > last ? total - last : 0
        }
        guard remaining > 0 else { return }
        // The mean, with the remainder spread over the first ones so the sum stays exact.
        let mean = rest / remaining
        let extra = rest % remaining
        for index in 0..<min(remaining, UInt64(options.maxApproximatedObservations)) { observe(index < extra ? mean + 1 : mean) }
    }

    private static func key(_ name: String, _ labels: [(String, String)]) -> String {
        labels.isEmpty ? name : name + "{" + labels.map { "\($0.0)=\($0.1)" }.joined(separator: ",") + "}"
    }

    /// The increase of a monotonic total since the last call with the same key (all of it if
    /// the total went down: the component was replaced and counts from zero).
    private func delta(_ key: String, total: UInt64, in state: inout State) -> UInt64 {
        let previous = state.totals[key]
        state.totals[key] = total
        guard let previous else { return total }
        return total >= previous ? total - previous : total
    }

    /// Adds the increase of `total` to the counter; returns the increase.
    @discardableResult
    private func add(_ metric: MetricDescription, _ labels: [(String, String)] = [], total: UInt64, in state: inout State) -> UInt64 {
        let increase = delta(Self.key(metric.name, labels), total: total, in: &state)
        let handle = counter(metric, labels, in: &state)
        if increase > 0 { handle.increment(by: Int64(clamping: increase)) }
        return increase
    }

    private func counter(_ metric: MetricDescription, _ labels: [(String, String)] = [], in state: inout State) -> Counter {
        let key = Self.key(metric.name, labels)
        if let existing = state.counters[key] { return existing }
        let made = Counter(label: metric.name, dimensions: labels, factory: factory)
        state.counters[key] = made
        return made
    }

    private func gauge(_ metric: MetricDescription, _ labels: [(String, String)] = [], in state: inout State) -> Gauge {
        let key = Self.key(metric.name, labels)
        if let existing = state.gauges[key] { return existing }
        let made = Gauge(label: metric.name, dimensions: labels, factory: factory)
        state.gauges[key] = made
        return made
    }
}
