import MantisCore

/// When a `CircuitBreaker` opens and when it tries again.
public struct CircuitBreakerOptions: Sendable, Hashable {
    /// Consecutive failures (while closed) that open the breaker.
    public var failureThreshold: Int
    /// How long the breaker stays open before letting a probe through.
    public var coolDown: Duration
    /// Successful probes (while half-open) needed to close again.
    public var successesToClose: Int
    /// Probes allowed at the same time while half-open; other calls are refused.
    public var maxConcurrentProbes: Int

    public init(failureThreshold: Int = 5, coolDown: Duration = .seconds(30), successesToClose: Int = 1, maxConcurrentProbes: Int = 1) {
        self.failureThreshold = failureThreshold
        self.coolDown = coolDown
        self.successesToClose = successesToClose
        self.maxConcurrentProbes = maxConcurrentProbes
    }

    /// - Throws: `invalidConfiguration` naming the bad setting.
    public func validate() throws {
        func fail(_ setting: String, _ message: String) -> MantisError {
            MantisError(.invalidConfiguration, "circuit breaker: \(message)", context: ErrorContext(operation: "configure", metadata: ["setting": setting]))
        }
        guard failureThreshold >= 1 else { throw fail("failure_threshold", "failure_threshold must be at least 1") }
        guard coolDown >= .zero else { throw fail("cool_down", "cool_down must not be negative") }
        guard successesToClose >= 1 else { throw fail("successes_to_close", "successes_to_close must be at least 1") }
        guard maxConcurrentProbes >= 1 else { throw fail("max_concurrent_probes", "max_concurrent_probes must be at least 1") }
    }
}

/// The state of a `CircuitBreaker`.
public enum CircuitBreakerState: Sendable, Hashable, CustomStringConvertible {
    /// Calls go through; `failures` consecutive failures so far.
    case closed(failures: Int)
    /// Calls are refused (`circuitOpen`) until `until` (on the breaker's clock).
    case open(until: Duration)
    /// The cool-down passed: up to `maxConcurrentProbes` calls test the operation;
    /// `probes` are in flight, `successes` have succeeded.
    case halfOpen(probes: Int, successes: Int)

    /// `closed`, `open` or `half-open`.
    public var name: String {
        switch self {
        case .closed: "closed"
        case .open: "open"
        case .halfOpen: "half-open"
        }
    }

    public var description: String {
        switch self {
        case .closed(let failures): "closed (\(failures) consecutive failures)"
        case .open(let until): "open until \(until)"
        case .halfOpen(let probes, let successes): "half-open (\(probes) probe(s) in flight, \(successes) succeeded)"
        }
    }
}
