import CoreMetrics
import IntegrityKit
import Logging
import MantisCore
import Synchronization

/// Posts each alert as JSON (`Alert.jsonLine`) to an HTTP endpoint, without ever blocking the
/// caller: `send` puts the alert in a bounded queue that one background task drains.
///
/// Each delivery is retried with backoff and jitter (`Retrier`: connection errors, timeouts,
/// HTTP 5xx and 429 are transient; other 4xx are not retried) behind a `CircuitBreaker`: after
/// `breaker.failureThreshold` alerts in a row failed, the breaker opens and alerts go straight to
/// `fallback` (the log) without touching the network until the cool-down has passed; then one
/// probe is let through, and success closes it again. Opening and closing are reported to the
/// fallback as the alert `alert_webhook_failing` (warning, then resolved). Every alert that could
/// not be delivered goes to `fallback` with `delivery_failed`, so none is lost silently. When the
/// queue is full the oldest non-critical alert is dropped (logged and counted).
public final class WebhookAlertSink: AlertSink, Sendable {
    public struct Options: Sendable, Hashable {
        public var endpoint: HTTPEndpoint
        /// Bound on one attempt (connect, send, response).
        public var timeout: Duration = .seconds(5)
        public var retry = RetryPolicy(maxAttempts: 4, initialDelay: .milliseconds(250), maxDelay: .seconds(5))
        public var breaker = CircuitBreakerOptions(failureThreshold: 3, coolDown: .seconds(60))
        /// Alerts waiting for delivery at most.
        public var queueCapacity = 1000

        public init(endpoint: HTTPEndpoint) {
            self.endpoint = endpoint
        }
    }

    public let options: Options
    public let breaker: CircuitBreaker
    let fallback: any AlertSink
    let transport: any HTTPTransport
    let retrier: Retrier
    let logger: Logger
    let state = Mutex(State())
    let transitions: AlertDispatcher
    let deliveryFailures: Counter?

    struct State {
        var queue: [Alert] = []
        var worker: Task<Void, Never>?
        var delivered = 0
        var failed = 0
        var dropped = 0
    }

    /// - Parameters:
    ///   - fallback: receives what cannot be delivered, and the breaker's reports (usually the log sink).
    ///   - clock: drives the retry backoff and the breaker's cool-down (a manual clock in tests).
    public init(options: Options, fallback: any AlertSink, transport: any HTTPTransport = NIOHTTPTransport(),
                clock: any MonotonicClock = SystemMonotonicClock(), metricsFactory: (any MetricsFactory)? = nil,
                logger: Logger = Logger(label: "mantisdb.alerts", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.options = options
        self.fallback = fallback
        self.transport = transport
        self.logger = logger
        let transitions = AlertDispatcher(sink: fallback)
        self.transitions = transitions
        let endpoint = options.endpoint
        self.breaker = CircuitBreaker(name: "webhook", options: options.breaker, clock: clock, onTransition: { transition in
            switch transition.to {
            case .open:
                logger.critical("webhook alert delivery keeps failing: circuit breaker open, alerts go to the log until it recovers",
                                metadata: ["url": "\(endpoint)", "transition": "\(transition)"])
                if transition.from.name != "half-open" {
                    transitions.post(Alert(name: "alert_webhook_failing", severity: .warning,
                                           message: "webhook \(endpoint) keeps failing: its circuit breaker is open and alerts are only logged until it recovers",
                                           details: ["url": endpoint.description]))
                }
            case .closed:
                logger.notice("webhook alert delivery works again: circuit breaker closed", metadata: ["url": "\(endpoint)"])
                transitions.post(Alert(name: "alert_webhook_failing", severity: .resolved,
                                       message: "webhook \(endpoint) delivers again", details: ["url": endpoint.description]))
            case .halfOpen:
                logger.info("webhook circuit breaker half-open: probing", metadata: ["url": "\(endpoint)"])
            }
        })
        self.retrier = Retrier(policy: options.retry, clock: clock, observer: { event in
            logger.warning("webhook delivery failed; retrying", metadata: [
                "attempt": "\(event.attempt)", "delay": "\(event.delay)", "error": "\(event.error)",
            ])
        })
        deliveryFailures = metricsFactory.map { Counter(label: MantisMetrics.alertDeliveryFailures.name, dimensions: [("sink", "webhook")], factory: $0) }
    }

    public var name: String { "webhook" }

    /// Delivered, failed (sent to the fallback) and dropped (queue full) alerts so far.
    public var counts: (delivered: Int, failed: Int, dropped: Int) {
        state.withLock { ($0.delivered, $0.failed, $0.dropped) }
    }

    public func send(_ alert: Alert) async {
        var droppedAlert: Alert?
        state.withLock { state in
            if state.queue.count >= options.queueCapacity {
                let index = state.queue.firstIndex { $0.severity != .critical } ?? 0
                droppedAlert = state.queue.remove(at: index)
                state.dropped += 1
            }
            state.queue.append(alert)
            guard state.worker == nil else { return }
            state.worker = Task.detached { [self] in await drain() }
        }
        if let droppedAlert {
            logger.error("webhook alert queue full: oldest alert dropped from the webhook (still logged)", metadata: [
                "alert": "\(droppedAlert.jsonLine())", "capacity": "\(options.queueCapacity)",
            ])
        }
    }

    /// Returns once every alert queued before the call was delivered or handed to the fallback.
    public func flush() async {
        while let worker = state.withLock({ $0.worker }) {
            await worker.value
        }
        await transitions.drain()
    }

    private func drain() async {
        while let next = state.withLock({ state -> Alert? in
            guard !state.queue.isEmpty else {
                state.worker = nil
                return nil
            }
            return state.queue.removeFirst()
        }) {
            await deliver(next)
        }
    }

    private func deliver(_ alert: Alert) async {
        let body = Array(alert.jsonLine().utf8)
        let endpoint = options.endpoint
        let timeout = options.timeout
        let transport = transport
        let retrier = retrier
        do {
            try await breaker.run {
                try await retrier.run(operation: "webhook post") {
                    let status = try await transport.post(endpoint, body: body, headers: [("X-MantisDB-Alert", alert.name)], timeout: timeout)
                    try Self.check(status: status, endpoint: endpoint)
                }
            }
            state.withLock { $0.delivered += 1 }
        } catch {
            state.withLock { $0.failed += 1 }
            deliveryFailures?.increment()
            var copy = alert
            copy.details["delivery_failed"] = "webhook \(endpoint): \(error)"
            await fallback.send(copy)
        }
    }

    /// 2xx is success; 429 and 5xx are transient (`ioError`); anything else is permanent.
    static func check(status: Int, endpoint: HTTPEndpoint) throws {
        if (200..<300).contains(status) { return }
        let context = ErrorContext(operation: "webhook post", metadata: ["url": endpoint.description, "status": String(status)])
        if status == 429 || status >= 500 {
            throw MantisError(.ioError, "the webhook answered HTTP \(status)", context: context)
        }
        throw MantisError(.invalidArgument, "the webhook refused the alert with HTTP \(status)", context: context)
    }
}
