import MantisCore
import Synchronization

/// Stops calling an operation that keeps failing, outside the write path (archiving, alert
/// delivery, webhooks), so a dead dependency costs a fast refusal instead of a timeout per call.
///
/// - **closed**: calls go through; `failureThreshold` consecutive failures open it (a success
///   resets the count).
/// - **open**: calls are refused at once with `circuitOpen` (the operation is not called) until
///   `coolDown` has passed on the injected clock.
/// - **half-open**: the first call(s) after the cool-down (at most `maxConcurrentProbes` at a
///   time) are let through as probes; others are refused. `successesToClose` successful probes
///   close it; a failed probe opens it again for a fresh cool-down.
///
/// Which errors count as failures is `isFailure` (default: all but cancellation). An error that
/// does not count leaves the state alone (a probe's slot is freed). Thread-safe.
public final class CircuitBreaker: Sendable {
    public let name: String
    public let options: CircuitBreakerOptions
    let clock: any MonotonicClock
    let isFailure: @Sendable (any Error) -> Bool
    let onTransition: (@Sendable (CircuitBreakerTransition) -> Void)?
    let state: Mutex<Core>

    struct Core {
        var state: CircuitBreakerState = .closed(failures: 0)
        var counters = CircuitBreakerCounters()
        var lastFailure: String?
    }

    /// - Parameters:
    ///   - name: names the protected operation in errors and transitions (`archive`, `webhook`).
    ///   - onTransition: called after every state change, outside the breaker's lock, in order
    ///     for one caller (concurrent callers may interleave).
    public init(name: String, options: CircuitBreakerOptions = CircuitBreakerOptions(),
                clock: any MonotonicClock = SystemMonotonicClock(),
                isFailure: @escaping @Sendable (any Error) -> Bool = { !($0 is CancellationError) && ($0 as? MantisError)?.code != .cancelled },
                onTransition: (@Sendable (CircuitBreakerTransition) -> Void)? = nil) {
        self.name = name
        self.options = options
        self.clock = clock
        self.isFailure = isFailure
        self.onTransition = onTransition
        self.state = Mutex(Core())
    }

    /// The current state. An open breaker whose cool-down has passed still reads `open` until
    /// the next call turns it half-open.
    public var currentState: CircuitBreakerState { state.withLock { $0.state } }

    public var counters: CircuitBreakerCounters { state.withLock { $0.counters } }

    /// Runs `body` if the breaker lets it through.
    /// - Throws: `circuitOpen` (naming the breaker, the remaining cool-down and the last
    ///   failure) without calling `body` if refused; otherwise whatever `body` throws.
    public func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        let permit = try acquire()
        let result: T
        do {
            result = try await body()
        } catch {
            finish(permit, outcome: isFailure(error) ? .failure("\(error)") : .neutral)
            throw error
        }
        finish(permit, outcome: .success)
        return result
    }

    /// `run` for synchronous code.
    public func runBlocking<T>(_ body: () throws -> T) throws -> T {
        let permit = try acquire()
        let result: T
        do {
            result = try body()
        } catch {
            finish(permit, outcome: isFailure(error) ? .failure("\(error)") : .neutral)
            throw error
        }
        finish(permit, outcome: .success)
        return result
    }

    enum Permit { case normal, probe }
    enum Outcome {
        case success
        case failure(String)
        case neutral
    }

    /// Lets a call through (as a normal call or a probe) or throws `circuitOpen`.
    func acquire() throws -> Permit {
        let now = clock.now()
        var transition: CircuitBreakerTransition?
        let result = state.withLock { core -> Result<Permit, MantisError> in
            switch core.state {
            case .closed:
                core.counters.calls += 1
                return .success(.normal)
            case .open(let until):
                if now >= until {
                    transition = CircuitBreakerTransition(from: core.state, to: .halfOpen(probes: 1, successes: 0), at: now)
                    core.state = .halfOpen(probes: 1, successes: 0)
                    core.counters.calls += 1
                    core.counters.probes += 1
                    return .success(.probe)
                }
                core.counters.refused += 1
                return .failure(refusal(core: core, remaining: until - now))
            case .halfOpen(let probes, let successes):
                if probes < options.maxConcurrentProbes {
                    core.state = .halfOpen(probes: probes + 1, successes: successes)
                    core.counters.calls += 1
                    core.counters.probes += 1
                    return .success(.probe)
                }
                core.counters.refused += 1
                return .failure(refusal(core: core, remaining: nil))
            }
        }
        if let transition { onTransition?(transition) }
        return try result.get()
    }

    /// Records how a call that was let through ended.
    func finish(_ permit: Permit, outcome: Outcome) {
        let now = clock.now()
        let transition = state.withLock { core -> CircuitBreakerTransition? in
            let before = core.state
            switch outcome {
            case .success: core.counters.successes += 1
            case .failure(let text):
                core.counters.failures += 1
                core.lastFailure = text
            case .neutral: break
            }
            switch (core.state, permit) {
            case (.closed(let failures), _):
                // A probe that finishes after the breaker closed counts like a normal call.
                switch outcome {
                case .success: core.state = .closed(failures: 0)
                case .failure:
                    let count = failures + 1
                    if count >= options.failureThreshold {
                        core.state = .open(until: now + options.coolDown)
                        core.counters.opened += 1
                    } else {
                        core.state = .closed(failures: count)
                    }
                case .neutral: break
                }
            case (.halfOpen(let probes, let successes), .probe):
                switch outcome {
                case .success:
                    if successes + 1 >= options.successesToClose {
                        core.state = .closed(failures: 0)
                    } else {
                        core.state = .halfOpen(probes: probes - 1, successes: successes + 1)
                    }
                case .failure:
                    core.state = .open(until: now + options.coolDown)
                    core.counters.opened += 1
                case .neutral:
                    core.state = .halfOpen(probes: probes - 1, successes: successes)
                }
            case (.halfOpen, .normal), (.open, _):
                // A call let through while closed that ends after the breaker opened: its
                // outcome no longer decides anything (a late failure must not extend the
                // cool-down, a late success must not close an open breaker).
                break
            }
            return before == core.state ? nil : CircuitBreakerTransition(from: before, to: core.state, at: now)
        }
        // Only name changes are transitions worth reporting (closed(1) → closed(2) is not).
        if let transition, transition.from.name != transition.to.name { onTransition?(transition) }
    }

    private func refusal(core: Core, remaining: Duration?) -> MantisError {
        var metadata = ["breaker": name, "state": core.state.name]
        var message = "circuit breaker \"\(name)\" is \(core.state.name)"
        if let remaining {
            message += " after \(options.failureThreshold) consecutive failures; the next attempt is allowed in \(remaining)"
            metadata["retry_after_ms"] = String(max(0, remaining.wholeNanoseconds / 1_000_000))
        } else {
            message += ": a probe is in flight"
        }
        if let last = core.lastFailure {
            message += "; last failure: \(last)"
        }
        return MantisError(.circuitOpen, message, context: ErrorContext(operation: name, metadata: metadata))
    }
}

/// A state change of a breaker.
public struct CircuitBreakerTransition: Sendable, Hashable, CustomStringConvertible {
    public var from: CircuitBreakerState
    public var to: CircuitBreakerState
    /// When (on the breaker's clock).
    public var at: Duration

    public var description: String { "\(from.name) → \(to.name) at \(at)" }
}

/// What a breaker has done since it was made.
public struct CircuitBreakerCounters: Sendable, Hashable {
    /// Calls let through (probes included).
    public var calls = 0
    public var successes = 0
    public var failures = 0
    /// Calls refused without running the operation.
    public var refused = 0
    public var probes = 0
    /// Times the breaker opened.
    public var opened = 0

    public init() {}
}
