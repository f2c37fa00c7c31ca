import IntegrityKit
import Logging
import MantisCore
import Synchronization

/// What the alert rules look at, read fresh at each evaluation.
public struct AlertRuleInputs: Sendable {
    /// The log's status; nil when there is no writable log (safe mode has its own alert).
    public var wal: WALStatus?
    /// The oldest transaction still running, if any.
    public var oldestTransaction: RunningTransaction?
    /// The slowest sync since the previous evaluation, when the log reports each sync
    /// (otherwise the rules use `wal.lastSyncNanoseconds` and the mean since the last evaluation).
    public var slowestSync: Duration?

    public init(wal: WALStatus? = nil, oldestTransaction: RunningTransaction? = nil, slowestSync: Duration? = nil) {
        self.wal = wal
        self.oldestTransaction = oldestTransaction
        self.slowestSync = slowestSync
    }
}

/// A transaction in progress: its id and how long ago it began.
public struct RunningTransaction: Sendable, Hashable {
    public var id: UInt64
    public var age: Duration

    public init(id: UInt64, age: Duration) {
        self.id = id
        self.age = age
    }
}

/// The alert rules no component raises by itself, evaluated every `interval` over
/// `AlertRuleInputs` (each raised once when its condition starts and resolved when it ends; the
/// `AlertManager` de-duplicates, rate-limits and escalates):
///
/// | alert | severity | condition |
/// |---|---|---|
/// | `wal_failed` | critical | the log failed (a write or fdatasync error): writes are refused until a restart recovers |
/// | `slow_fsync` | warning | a sync completed since the last evaluation took longer than `slowFsync`, or records have waited longer than `slowFsync` with no sync completing (a hung fdatasync) |
/// | `long_transaction` | warning | a transaction has been running longer than `longTransaction` |
public final class AlertRules: Sendable {
    public struct Options: Sendable, Hashable {
        /// nil: not watched.
        public var slowFsync: Duration? = .seconds(1)
        /// nil: not watched.
        public var longTransaction: Duration? = .seconds(300)
        public var interval: Duration = .seconds(1)

        public init(slowFsync: Duration? = .seconds(1), longTransaction: Duration? = .seconds(300), interval: Duration = .seconds(1)) {
            self.slowFsync = slowFsync
            self.longTransaction = longTransaction
            self.interval = interval
        }
    }

    public let options: Options
    let alerts: any AlertSink
    let inputs: @Sendable () -> AlertRuleInputs
    let clock: any MonotonicClock
    let logger: Logger
    let state = Mutex(State())
    let task = Mutex<Task<Void, Never>?>(nil)

    struct State {
        var raised: Set<String> = []
        var syncCount: UInt64?
        var syncNanoseconds: UInt64 = 0
        var durableLSN: UInt64 = 0
        var stalledSince: Duration?
    }

    public init(options: Options = Options(), alerts: any AlertSink, clock: any MonotonicClock = SystemMonotonicClock(),
                logger: Logger = Logger(label: "mantisdb.alerts", factory: { _ in SwiftLogNoOpLogHandler() }),
                inputs: @escaping @Sendable () -> AlertRuleInputs) {
        self.options = options
        self.alerts = alerts
        self.inputs = inputs
        self.clock = clock
        self.logger = logger
    }

    /// The rules currently breached.
    public var raised: Set<String> { state.withLock { $0.raised } }

    /// Evaluates every rule once, raising or resolving alerts.
    public func evaluate() async {
        let input = inputs()
        let now = clock.now()
        var findings: [(String, Alert?)] = []
        if let wal = input.wal {
            if let failure = wal.failure {
                findings.append(("wal_failed", Alert(name: "wal_failed", severity: .critical,
                    message: "the write-ahead log failed and accepts no writes (the database is read-only until a restart recovers from the log): \(failure)",
                    details: ["failure": failure, "durable_lsn": "\(wal.durableLSN)", "last_lsn": "\(wal.lastLSN)"])))
            } else {
                findings.append(("wal_failed", nil))
            }
            if let limit = options.slowFsync {
                findings.append(("slow_fsync", slowSync(wal, slowest: input.slowestSync, limit: limit, now: now)))
            }
        }
        if let limit = options.longTransaction {
            if let oldest = input.oldestTransaction, oldest.age > limit {
                findings.append(("long_transaction", Alert(name: "long_transaction", severity: .warning,
                    message: "transaction \(oldest.id) has been running for \(oldest.age.brief) (limit \(limit.brief)): it holds its locks and snapshot, and old versions cannot be collected",
                    details: ["transaction": "\(oldest.id)", "age_seconds": "\(Int(oldest.age.secondsDouble))", "limit_seconds": "\(Int(limit.secondsDouble))"])))
            } else {
                findings.append(("long_transaction", nil))
            }
        }
        for (name, alert) in findings {
            let change = state.withLock { state -> Bool? in
                if alert != nil, !state.raised.contains(name) { state.raised.insert(name); return true }
                if alert == nil, state.raised.contains(name) { state.raised.remove(name); return false }
                return nil
            }
            switch change {
            case true?:
                logger.warning("alert rule breached", metadata: ["alert": "\(name)"])
                await alerts.send(alert!)
            case false?:
                await alerts.send(Alert(name: name, severity: .resolved, message: "\(name) cleared"))
            case nil: break
            }
        }
    }

    /// The `slow_fsync` alert if a sync since the last evaluation was slow or none completes.
    private func slowSync(_ wal: WALStatus, slowest: Duration?, limit: Duration, now: Duration) -> Alert? {
        let limitNanos = UInt64(max(0, limit.nanosecondsClamped))
        return state.withLock { state -> Alert? in
            defer {
                state.syncCount = wal.syncCount
                state.syncNanoseconds = wal.syncNanosecondsTotal
                state.durableLSN = wal.durableLSN.rawValue
            }
            var slow: UInt64 = 0
            if let previous = state.syncCount {
                if wal.syncCount > previous {
                    let count = wal.syncCount - previous
                    let total = wal.syncNanosecondsTotal &- state.syncNanoseconds
                    slow = max(wal.lastSyncNanoseconds, total / max(count, 1))
                }
            } else if wal.syncCount > 0 {
                // The first look: the last sync so far counts (it may have been slow before the rules started).
                slow = wal.lastSyncNanoseconds
            }
            if let slowest { slow = max(slow, UInt64(max(0, slowest.nanosecondsClamped))) }
            // A sync that does not complete: records wait and the durable LSN does not move.
            let pending = wal.lastLSN > wal.durableLSN
            if pending, state.syncCount != nil, wal.durableLSN.rawValue == state.durableLSN {
                if state.stalledSince == nil { state.stalledSince = now }
            } else {
                state.stalledSince = pending ? now : nil
            }
            if let since = state.stalledSince, now - since > limit {
                let waiting = now - since
                return Alert(name: "slow_fsync", severity: .warning,
                             message: "no log sync has completed for \(waiting.brief) while \(wal.lastLSN.rawValue - wal.durableLSN.rawValue) records wait (limit \(limit.brief)): the disk may be hung; commits are stalled",
                             details: ["stalled_seconds": "\(waiting.secondsDouble)", "durable_lsn": "\(wal.durableLSN)", "last_lsn": "\(wal.lastLSN)",
                                       "limit_ms": "\(limitNanos / 1_000_000)"])
            }
            if slow > limitNanos {
                return Alert(name: "slow_fsync", severity: .warning,
                             message: "a log sync took \(Duration.nanoseconds(Int64(clamping: slow)).brief) (limit \(limit.brief)): commits wait that long",
                             details: ["sync_ms": "\(Double(slow) / 1e6)", "limit_ms": "\(limitNanos / 1_000_000)", "syncs": "\(wal.syncCount)"])
            }
            return nil
        }
    }

    /// Evaluates every `options.interval` until `stop()`. No effect if started.
    public func start() {
        task.withLock { task in
            guard task == nil else { return }
            task = Task.detached { [weak self] in
                while !Task.isCancelled {
                    guard let interval = self?.options.interval, let clock = self?.clock else { return }
                    do { try await clock.sleep(for: interval) } catch { return }
                    guard let self else { return }
                    await self.evaluate()
                }
            }
        }
    }

    public func stop() async {
        let running = task.withLock { task -> Task<Void, Never>? in
            defer { task = nil }
            return task
        }
        running?.cancel()
        await running?.value
    }
}
