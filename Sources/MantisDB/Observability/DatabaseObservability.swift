import CoreMetrics
import IntegrityKit
import Logging
import MantisCore
import ObservabilityKit
import Synchronization

/// A database's monitoring, created by `Database.open` from `DatabaseOptions.observability`:
///
/// - `alerts`: the `AlertManager` every component raises alerts through (de-duplication, rate
///   limiting, escalation, resolutions) in front of `DatabaseOptions.alertSinks`;
/// - `metrics`: swift-metrics instruments fed by sampling the components every `sampleInterval`
///   (and at each scrape, `refreshMetrics()`), when a `metricsFactory` is given;
/// - `rules`: the alert rules no component raises by itself (`wal_failed`, `slow_fsync`,
///   `long_transaction`), plus `corruption_detected` when a read meets corrupt data;
/// - `auditLog`: the audit trail (`<data dir>/audit/audit.log` by default), with the events the
///   database records itself: open and recovery, checkpoints, WAL cleanup, quarantine, close.
public final class DatabaseObservability: Sendable {
    /// What `Database.open` sets up.
    public struct Options: Sendable {
        /// Where metrics go; nil: no metrics. Pass the factory the process bootstrapped (or a
        /// `TestMetrics` in tests), never rely on the global `MetricsSystem` here.
        public var metricsFactory: (any MetricsFactory)?
        /// How often metrics are sampled and the audit watcher looks for checkpoints, log cleanup
        /// and quarantines.
        public var sampleInterval: Duration = .seconds(1)
        public var alertPolicy = AlertManager.Options()
        /// nil: the rules are not evaluated.
        public var alertRules: AlertRules.Options? = AlertRules.Options()
        public var audit = AuditTrail.dataDirectory

        public init() {}
    }

    /// Where the audit trail goes.
    public enum AuditTrail: Sendable {
        /// `<data dir>/audit/` (`FileAuditLog`) for a file-based log; none for an in-memory one.
        case dataDirectory
        case disabled
        case custom(any AuditLog)
    }

    public let options: Options
    public let alerts: AlertManager
    public let metrics: DatabaseMetrics?
    public let auditLog: any AuditLog
    let logger: Logger
    /// Alerts raised from synchronous code (reads, audit failures), delivered in order.
    let dispatcher: AlertDispatcher
    let background = Mutex<Background?>(nil)
    let watcher = Mutex(AuditCursor())

    struct Background: Sendable {
        let loop: Task<Void, Never>
        let sampler: MetricsSampler?
        let rules: AlertRules?
    }

    /// What the audit watcher has already recorded.
    struct AuditCursor {
        var checkpointsTaken: UInt64 = 0
        var checkpointsFailed: UInt64 = 0
        var segmentsRemoved: UInt64 = 0
        var findings: Set<Int> = []
    }

    init(_ databaseOptions: DatabaseOptions) {
        let options = databaseOptions.observability
        self.options = options
        logger = databaseOptions.logger
        let manager = AlertManager(sinks: databaseOptions.alertSinks, options: options.alertPolicy,
                                   metricsFactory: options.metricsFactory, logger: databaseOptions.logger)
        alerts = manager
        let dispatcher = AlertDispatcher(sink: manager)
        self.dispatcher = dispatcher
        metrics = options.metricsFactory.map { factory in
            var metricsOptions = DatabaseMetrics.Options()
            // The segmented log reports every sync (`SegmentedWALOptions.onSync`, wired at open).
            metricsOptions.approximateSyncLatency = databaseOptions.walKind != .segmented
            metricsOptions.approximateGroupSizes = databaseOptions.walKind != .segmented
            // The transaction manager reports every lock wait (`onLockWait`, wired at open).
            metricsOptions.approximateLockWaits = false
            // The checkpointer reports every checkpoint (`CheckpointOptions.onCheckpoint`).
            metricsOptions.checkpointDurationFromStatus = false
            return DatabaseMetrics(factory: factory, options: metricsOptions)
        }
        switch options.audit {
        case .disabled:
            auditLog = NoAuditLog()
        case .custom(let log):
            auditLog = log
        case .dataDirectory:
            if databaseOptions.walKind == .segmented {
                let directory = FileAuditLog.directory(inDataDirectory: databaseOptions.directory)
                auditLog = FileAuditLog(
                    directory: directory, fileSystem: databaseOptions.fileSystem, metricsFactory: options.metricsFactory,
                    logger: databaseOptions.logger,
                    onFailure: { event, error in
                        dispatcher.post(Alert(name: "audit_failed", severity: .warning,
                                              message: "the audit trail could not record \(event.action): \(error)",
                                              details: ["action": event.action, "directory": directory]))
                    })
            } else {
                auditLog = NoAuditLog()
            }
        }
    }

    /// Records an audit event (never throws; a failure is logged and alerted).
    public func audit(_ action: String, outcome: AuditEvent.Outcome = .success, actor: String = "system", details: [String: String] = [:]) async {
        await auditLog.record(AuditEvent(action: action, outcome: outcome, actor: actor, details: details))
    }

    /// Samples the metrics now (call before rendering an exposition, so a scrape sees fresh values).
    public func refreshMetrics() {
        background.withLock { $0 }?.sampler?.sample()
    }

    /// The alert rules, once the database runs.
    public var rules: AlertRules? { background.withLock { $0 }?.rules }

    /// Returns once every alert raised so far has reached the sinks.
    public func alertsDelivered() async {
        await dispatcher.drain()
        await alerts.flush()
    }

    // MARK: Lifecycle (Database.open / close)

    func start(_ database: Database) {
        alerts.start()
        let sampler = metrics.map { metrics in
            MetricsSampler(metrics: metrics) { [weak database] in database?.observabilitySample() ?? DatabaseSample() }
        }
        let rules = options.alertRules.map { ruleOptions in
            AlertRules(options: ruleOptions, alerts: alerts, logger: logger) { [weak database] in
                database?.alertRuleInputs() ?? AlertRuleInputs()
            }
        }
        rules?.start()
        sampler?.sample()
        let interval = options.sampleInterval
        let loop = Task.detached { [weak self, weak database] in
            while !Task.isCancelled {
                do { try await Task.sleep(for: interval) } catch { return }
                guard let self, let database else { return }
                self.background.withLock { $0 }?.sampler?.sample()
                await self.watch(database)
            }
        }
        background.withLock { $0 = Background(loop: loop, sampler: sampler, rules: rules) }
    }

    /// Stops the background work, taking a last sample and a last look for audit events.
    func stop(_ database: Database) async {
        guard let running = background.withLock({ $0 }) else { return }
        running.loop.cancel()
        await running.loop.value
        await running.rules?.stop()
        running.sampler?.sample()
        await watch(database)
    }

    /// Delivers what is pending and releases the audit file (after the close was recorded).
    func finish() async {
        await alertsDelivered()
        await alerts.stop()
        if let file = auditLog as? FileAuditLog { await file.close() }
    }

    /// Counts an error returned to a caller; corrupt data raises `corruption_detected`.
    func observe(_ error: any Error, operation: String) {
        if error is CancellationError { return }
        let classified = metrics?.recordError(error) ?? ErrorClassification.standard.classify(error)
        guard classified.errorClass == .corruption, classified.code != .tornWrite else { return }
        var details = ["operation": operation, "code": classified.code.rawValue]
        if let resource = classified.resource { details["where"] = resource }
        logger.critical("corrupt data detected and withheld", metadata: ["operation": "\(operation)", "error": "\(classified.error)"])
        dispatcher.post(Alert(name: "corruption_detected", severity: .critical,
                              message: "\(operation): corrupt data detected and withheld from the client: \(classified.error)",
                              details: details))
    }
}
