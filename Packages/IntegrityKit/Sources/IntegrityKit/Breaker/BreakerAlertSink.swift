import MantisCore

/// Delivers alerts through a fallible channel (a webhook, a pager) behind a circuit breaker:
/// while the channel keeps failing, alerts go straight to `fallback` (e.g. the log) instead of
/// waiting for a timeout each. An alert whose delivery fails also goes to `fallback`, so none is
/// lost silently. Never throws (the `AlertSink` contract).
public struct BreakerAlertSink: AlertSink {
    public let name: String
    public let breaker: CircuitBreaker
    let deliver: @Sendable (Alert) async throws -> Void
    let fallback: any AlertSink

    public init(name: String, breaker: CircuitBreaker, fallback: any AlertSink, deliver: @escaping @Sendable (Alert) async throws -> Void) {
        self.name = name
        self.breaker = breaker
        self.fallback = fallback
        self.deliver = deliver
    }

    public func send(_ alert: Alert) async {
        do {
            try await breaker.run { try await deliver(alert) }
        } catch {
            var copy = alert
            copy.details["delivery_failed"] = "\(name): \(error)"
            await fallback.send(copy)
        }
    }
}
