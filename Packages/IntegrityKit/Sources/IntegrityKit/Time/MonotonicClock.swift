import MantisCore

/// Time as the integrity machinery sees it: a monotonic reading and two ways to wait. Every
/// component that waits or measures takes one, so tests drive time by hand (`ManualClock` in
/// IntegrityKitTesting) and check exact delays.
public protocol MonotonicClock: Sendable {
    /// Time since a fixed, arbitrary origin; never decreases.
    func now() -> Duration

    /// Suspends the calling task for `duration`. Throws `CancellationError` if the task is
    /// cancelled while waiting.
    func sleep(for duration: Duration) async throws

    /// Blocks the calling *thread* for `duration`. Only for code already running on a dedicated
    /// I/O thread (the scrubber's), never on the Swift concurrency pool.
    func blockingSleep(for duration: Duration)
}

/// The real clock: `ContinuousClock` (does not jump with wall-clock changes; keeps counting
/// while the machine sleeps), `Task.sleep` and `nanosleep`.
public struct SystemMonotonicClock: MonotonicClock {
    /// One origin for every instance, so readings from different instances compare.
    private static let origin = ContinuousClock.now

    public init() {}

    public func now() -> Duration {
        ContinuousClock.now - Self.origin
    }

    public func sleep(for duration: Duration) async throws {
        guard duration > .zero else {
            try Task.checkCancellation()
            return
        }
        try await Task.sleep(for: duration)
    }

    public func blockingSleep(for duration: Duration) {
        BlockingSleep.sleep(for: duration)
    }
}

extension Duration {
    /// Whole nanoseconds (truncated; saturating at `Int64` bounds).
    var wholeNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow2 { return seconds < 0 ? .min : .max }
        return sum
    }

    /// Seconds as a floating-point number.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
