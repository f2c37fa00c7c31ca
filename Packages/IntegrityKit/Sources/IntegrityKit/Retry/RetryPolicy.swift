import MantisCore

/// How often and how long to wait between attempts: exponential backoff with jitter.
///
/// The delay before retry `n` (1 = the first retry) has the ceiling
/// `min(maxDelay, initialDelay · multiplier^(n−1))`; jitter then picks the actual delay
/// (`full`: uniformly in `[0, ceiling]`, `equal`: in `[ceiling/2, ceiling]`, `none`: the ceiling).
/// Jitter spreads out callers that failed together so they do not retry in lock-step.
public struct RetryPolicy: Sendable, Hashable {
    public enum Jitter: String, Sendable, Hashable, CaseIterable {
        case none
        case full
        case equal
    }

    /// Attempts in all, the first included (1 = never retry).
    public var maxAttempts: Int
    public var initialDelay: Duration
    public var maxDelay: Duration
    public var multiplier: Double
    public var jitter: Jitter

    public init(maxAttempts: Int = 5, initialDelay: Duration = .milliseconds(10), maxDelay: Duration = .seconds(2),
                multiplier: Double = 2, jitter: Jitter = .full) {
        self.maxAttempts = maxAttempts
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.multiplier = multiplier
        self.jitter = jitter
    }

    /// - Throws: `invalidConfiguration` naming the bad setting.
    public func validate() throws {
        func fail(_ setting: String, _ message: String) -> MantisError {
            MantisError(.invalidConfiguration, "retry: \(message)", context: ErrorContext(operation: "configure", metadata: ["setting": "retry.\(setting)"]))
        }
        guard maxAttempts >= 1 else { throw fail("max_attempts", "max_attempts must be at least 1, not \(maxAttempts)") }
        guard initialDelay >= .zero else { throw fail("initial_delay", "initial_delay must not be negative") }
        guard maxDelay >= initialDelay else { throw fail("max_delay", "max_delay (\(maxDelay)) must be at least initial_delay (\(initialDelay))") }
        guard multiplier >= 1, multiplier.isFinite else { throw fail("multiplier", "multiplier must be a finite number ≥ 1, not \(multiplier)") }
    }

    /// The ceiling of the delay before retry `retry` (1-based).
    public func ceiling(beforeRetry retry: Int) -> Duration {
        let initial = Double(initialDelay.wholeNanoseconds)
        let cap = Double(maxDelay.wholeNanoseconds)
        let exponent = Double(max(0, retry - 1))
        let raw = initial * pow(multiplier, exponent)
        let nanos = raw.isFinite ? min(cap, raw) : cap
        return .nanoseconds(Int64(nanos))
    }

    /// The delay before retry `retry` (1-based), drawing jitter from `random`.
    public func delay(beforeRetry retry: Int, using random: inout SplitMix64) -> Duration {
        let ceiling = ceiling(beforeRetry: retry).wholeNanoseconds
        switch jitter {
        case .none:
            return .nanoseconds(ceiling)
        case .full:
            return .nanoseconds(Int64(Double(ceiling) * Self.unitInterval(&random)))
        case .equal:
            let half = ceiling / 2
            return .nanoseconds(half + Int64(Double(ceiling - half) * Self.unitInterval(&random)))
        }
    }

    /// A uniform value in `[0, 1)` from the top 53 bits of the next draw: our own arithmetic,
    /// so a seed gives the same delays on every platform and release.
    static func unitInterval(_ random: inout SplitMix64) -> Double {
        Double(random.next() >> 11) * 0x1p-53
    }
}

/// `base^exponent` for the backoff (no Foundation).
@inline(__always)
func pow(_ base: Double, _ exponent: Double) -> Double {
    var result = 1.0
    var remaining = Int(exponent)
    var factor = base
    while remaining > 0 {
        if remaining & 1 == 1 { result *= factor }
        factor *= factor
        remaining >>= 1
        if !result.isFinite || !factor.isFinite { return .infinity }
    }
    return result
}
