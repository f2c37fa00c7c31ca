import CoreMetrics
import IntegrityKit
import Logging
import MantisCore
import Synchronization

/// The alert sink the database talks to: it wraps the configured sinks (`log`, `file`,
/// `webhook`…) and decides what reaches them.
///
/// - **De-duplication:** an alert is *active* from its first warning or critical until its
///   `resolved`; repeats while active are not sent again (counted, and the count travels with the
///   next notification as `suppressed_repeats`). A repeat at a higher severity (warning →
///   critical) is sent at once.
/// - **Rate limiting:** a new raise of a name notified less than `rateLimit` ago (a flapping
///   condition) is held back, not dropped: if still active when the interval has passed it is
///   sent then, with `held_for`; if it resolves first, neither it nor its resolution is sent.
///   A critical alert is never held back.
/// - **Escalation:** a warning still active after `escalateAfter` is sent again as critical
///   (`escalated_from: warning`, `active_for`).
/// - **Resolution:** a `resolved` alert is sent when its raise was (with `active_for`).
///
/// Notifications are delivered to every sink in order, one at a time (a sink must not block for
/// long: the webhook sink queues). Escalations and held-back alerts are sent by `tick()`, which
/// `start()` runs every `tickInterval`.
public final class AlertManager: AlertSink, Sendable {
    public struct Options: Sendable, Hashable {
        /// A warning still active after this long is re-sent as critical; nil: never.
        public var escalateAfter: Duration? = .seconds(900)
        /// The shortest interval between two raise notifications of one alert name; zero: none.
        public var rateLimit: Duration = .seconds(60)
        /// How often `start()` runs `tick()`.
        public var tickInterval: Duration = .seconds(1)

        public init(escalateAfter: Duration? = .seconds(900), rateLimit: Duration = .seconds(60), tickInterval: Duration = .seconds(1)) {
            self.escalateAfter = escalateAfter
            self.rateLimit = rateLimit
            self.tickInterval = tickInterval
        }
    }

    /// An alert currently raised.
    public struct ActiveAlert: Sendable, Hashable {
        public var alert: Alert
        /// The severity now (critical once escalated).
        public var severity: Alert.Severity
        /// Sent to the sinks (false while held back by the rate limit).
        public var announced: Bool
        public var escalated: Bool
        /// Repeats not sent since the last notification.
        public var suppressedRepeats: Int
        /// When it was raised, on the manager's clock.
        public var raisedAt: Duration
    }

    public let sinks: [any AlertSink]
    public let options: Options
    let clock: any MonotonicClock
    let logger: Logger
    let state = Mutex(State())
    let ticker = Mutex<Task<Void, Never>?>(nil)
    let instruments: Instruments?

    struct State {
        var active: [String: ActiveAlert] = [:]
        /// When each name was last notified as raised (kept after resolution, for the rate limit).
        var lastRaised: [String: Duration] = [:]
        var outbox: [Alert] = []
        var delivering = false
    }

    struct Instruments: Sendable {
        let factory: any MetricsFactory
        let suppressedDuplicate: Counter
        let suppressedRateLimited: Counter
        let activeWarning: Gauge
        let activeCritical: Gauge
    }

    /// - Parameters:
    ///   - metricsFactory: where `mantisdb_alerts_*` go; nil: not measured.
    public init(sinks: [any AlertSink], options: Options = Options(), clock: any MonotonicClock = SystemMonotonicClock(),
                metricsFactory: (any MetricsFactory)? = nil,
                logger: Logger = Logger(label: "mantisdb.alerts", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.sinks = sinks
        self.options = options
        self.clock = clock
        self.logger = logger
        instruments = metricsFactory.map { factory in
            Instruments(
                factory: factory,
                suppressedDuplicate: Counter(label: MantisMetrics.alertsSuppressed.name, dimensions: [("reason", "duplicate")], factory: factory),
                suppressedRateLimited: Counter(label: MantisMetrics.alertsSuppressed.name, dimensions: [("reason", "rate_limited")], factory: factory),
                activeWarning: Gauge(label: MantisMetrics.alertsActive.name, dimensions: [("severity", "warning")], factory: factory),
                activeCritical: Gauge(label: MantisMetrics.alertsActive.name, dimensions: [("severity", "critical")], factory: factory))
        }
        instruments?.activeWarning.record(0)
        instruments?.activeCritical.record(0)
    }

    public var name: String { sinks.map(\.name).joined(separator: "+") }

    /// The alerts raised and not resolved, by name.
    public var active: [String: ActiveAlert] { state.withLock { $0.active } }

    public func send(_ alert: Alert) async {
        let now = clock.now()
        state.withLock { state in
            switch alert.severity {
            case .resolved: resolve(alert, now: now, in: &state)
            case .warning, .critical: raise(alert, now: now, in: &state)
            }
        }
        await deliver()
    }

    /// Sends due escalations and held-back alerts.
    public func tick() async {
        let now = clock.now()
        state.withLock { state in
            for name in state.active.keys.sorted() {
                guard var entry = state.active[name] else { continue }
                if !entry.announced {
                    let last = state.lastRaised[name] ?? .zero
                    if now - last >= options.rateLimit {
                        var copy = entry.alert
                        copy.severity = entry.severity
                        copy.details["held_for"] = (now - entry.raisedAt).briefDescription
                        annotate(&copy, suppressed: entry.suppressedRepeats)
                        entry.announced = true
                        entry.suppressedRepeats = 0
                        state.lastRaised[name] = now
                        state.outbox.append(copy)
                    }
                }
                if entry.announced, !entry.escalated, entry.severity == .warning,
                   let limit = options.escalateAfter, now - entry.raisedAt >= limit {
                    let age = now - entry.raisedAt
                    var copy = entry.alert
                    copy.severity = .critical
                    copy.message = "escalated: warning active for \(age.briefDescription): \(entry.alert.message)"
                    copy.details["escalated_from"] = "warning"
                    copy.details["active_for"] = age.briefDescription
                    copy.timeNanoseconds = WallClock.nanosecondsSinceEpoch()
                    annotate(&copy, suppressed: entry.suppressedRepeats)
                    entry.severity = .critical
                    entry.escalated = true
                    entry.suppressedRepeats = 0
                    state.outbox.append(copy)
                    logger.warning("alert escalated to critical", metadata: ["alert": "\(name)", "active_for": "\(age.briefDescription)"])
                }
                state.active[name] = entry
            }
            updateGauges(state)
        }
        await deliver()
    }

    /// Runs `tick()` every `options.tickInterval` until `stop()`. No effect if started.
    public func start() {
        ticker.withLock { ticker in
            guard ticker == nil else { return }
            ticker = Task.detached { [weak self] in
                while !Task.isCancelled {
                    guard let interval = self?.options.tickInterval, let clock = self?.clock else { return }
                    do { try await clock.sleep(for: interval) } catch { return }
                    guard let self else { return }
                    await self.tick()
                }
            }
        }
    }

    public func stop() async {
        let task = ticker.withLock { ticker -> Task<Void, Never>? in
            defer { ticker = nil }
            return ticker
        }
        task?.cancel()
        await task?.value
        await flush()
    }

    /// Returns once every notification decided so far has been handed to the sinks.
    public func flush() async {
        while state.withLock({ !$0.outbox.isEmpty || $0.delivering }) {
            await deliver()
            try? await Task.sleep(for: .milliseconds(1))
        }
    }

    // MARK: Decisions

    private func raise(_ alert: Alert, now: Duration, in state: inout State) {
        if var entry = state.active[alert.name] {
            if alert.severity > entry.severity {
                entry.alert = alert
                entry.severity = alert.severity
                if entry.announced {
                    var copy = alert
                    annotate(&copy, suppressed: entry.suppressedRepeats)
                    entry.suppressedRepeats = 0
                    state.outbox.append(copy)
                } else {
                    // A critical is never held back by the rate limit.
                    var copy = alert
                    annotate(&copy, suppressed: entry.suppressedRepeats)
                    entry.suppressedRepeats = 0
                    entry.announced = true
                    state.lastRaised[alert.name] = now
                    state.outbox.append(copy)
                }
            } else {
                entry.alert = alert
                entry.alert.severity = entry.severity
                entry.suppressedRepeats += 1
                instruments?.suppressedDuplicate.increment()
                logger.debug("alert suppressed: already active", metadata: ["alert": "\(alert.name)"])
            }
            state.active[alert.name] = entry
        } else {
            var entry = ActiveAlert(alert: alert, severity: alert.severity, announced: false, escalated: false, suppressedRepeats: 0, raisedAt: now)
            if let last = state.lastRaised[alert.name], options.rateLimit > .zero, now - last < options.rateLimit, alert.severity != .critical {
                instruments?.suppressedRateLimited.increment()
                logger.notice("alert held back by the rate limit", metadata: ["alert": "\(alert.name)", "rate_limit": "\(options.rateLimit)"])
            } else {
                entry.announced = true
                state.lastRaised[alert.name] = now
                state.outbox.append(alert)
            }
            state.active[alert.name] = entry
        }
        updateGauges(state)
    }

    private func resolve(_ alert: Alert, now: Duration, in state: inout State) {
        guard let entry = state.active.removeValue(forKey: alert.name) else {
            instruments?.suppressedDuplicate.increment()
            logger.debug("resolution of an alert that is not active: not sent", metadata: ["alert": "\(alert.name)"])
            return
        }
        updateGauges(state)
        guard entry.announced else {
            instruments?.suppressedRateLimited.increment()
            logger.notice("alert resolved while held back by the rate limit: neither is sent", metadata: ["alert": "\(alert.name)"])
            return
        }
        var copy = alert
        copy.details["active_for"] = (now - entry.raisedAt).briefDescription
        copy.details["raised_severity"] = entry.severity.rawValue
        state.outbox.append(copy)
    }

    private func annotate(_ alert: inout Alert, suppressed: Int) {
        if suppressed > 0 { alert.details["suppressed_repeats"] = String(suppressed) }
    }

    private func updateGauges(_ state: State) {
        guard let instruments else { return }
        let values = state.active.values
        instruments.activeWarning.record(values.filter { $0.severity == .warning }.count)
        instruments.activeCritical.record(values.filter { $0.severity == .critical }.count)
    }

    // MARK: Delivery

    /// Delivers the outbox in order; one caller at a time does it, others return at once.
    private func deliver() async {
        guard state.withLock({ state -> Bool in
            if state.delivering { return false }
            state.delivering = true
            return true
        }) else { return }
        while let next = state.withLock({ state -> Alert? in
            guard !state.outbox.isEmpty else {
                state.delivering = false
                return nil
            }
            return state.outbox.removeFirst()
        }) {
            if let instruments {
                Counter(label: MantisMetrics.alerts.name, dimensions: [("name", next.name), ("severity", next.severity.rawValue)],
                        factory: instruments.factory).increment()
            }
            for sink in sinks { await sink.send(next) }
        }
    }
}

extension Duration {
    /// `850µs`, `12.5ms`, `3.2s`, `4m10s`.
    var briefDescription: String { brief }
}
