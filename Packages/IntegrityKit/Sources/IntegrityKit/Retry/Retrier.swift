import MantisCore
import Synchronization

/// Runs an operation, retrying it with exponential backoff and jitter while it fails with a
/// *retryable* error — transient through its whole cause chain and not involving fsync
/// (see `ClassifiedError.isRetryable`). For opens, reads and other idempotent operations.
///
/// Never retried, whatever the configuration: anything from an fsync/fdatasync (`syncFailed`,
/// or any error whose operation was `fsync`/`fdatasync`), corruption, resource, permanent and
/// programming errors, and cancellation. Those are thrown at once, after exactly one call.
/// When the attempts run out, the last error is thrown with `attempts` in its metadata.
///
/// Jitter comes from a seeded generator and waiting from an injected clock, so tests check the
/// exact delays.
public final class Retrier: Sendable {
    public let policy: RetryPolicy
    public let classification: ErrorClassification
    let clock: any MonotonicClock
    let random: Mutex<SplitMix64>
    let observer: (@Sendable (RetryEvent) -> Void)?

    /// - Parameters:
    ///   - seed: the jitter seed (the default draws one from the wall clock).
    ///   - observer: told about every retry (for logs and metrics).
    public init(policy: RetryPolicy = RetryPolicy(), classification: ErrorClassification = .standard,
                clock: any MonotonicClock = SystemMonotonicClock(), seed: UInt64 = WallClock.nanosecondsSinceEpoch(),
                observer: (@Sendable (RetryEvent) -> Void)? = nil) {
        self.policy = policy
        self.classification = classification
        self.clock = clock
        self.random = Mutex(SplitMix64(seed: seed))
        self.observer = observer
    }

    /// Runs `body` until it succeeds, fails with an error that must not be retried, or
    /// `policy.maxAttempts` attempts failed. Waits with `clock.sleep` (cancellable).
    /// - Parameter operation: what is being done, for the error's metadata and the observer.
    public func run<T: Sendable>(operation: String, _ body: @Sendable () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await body()
            } catch {
                let delay = try nextDelay(after: error, attempt: attempt, operation: operation)
                try await clock.sleep(for: delay)
                attempt += 1
            }
        }
    }

    /// `run` for synchronous code on a dedicated I/O thread: waits with `clock.blockingSleep`.
    public func runBlocking<T>(operation: String, _ body: () throws -> T) throws -> T {
        var attempt = 1
        while true {
            do {
                return try body()
            } catch {
                let delay = try nextDelay(after: error, attempt: attempt, operation: operation)
                clock.blockingSleep(for: delay)
                attempt += 1
            }
        }
    }

    /// The delay before the next attempt, or throws the error if there is none.
    private func nextDelay(after error: any Error, attempt: Int, operation: String) throws -> Duration {
        if error is CancellationError { throw error }
        let classified = classification.classify(error)
        guard classified.isRetryable, attempt < policy.maxAttempts else {
            throw Self.annotate(error, attempts: attempt, operation: operation, retryable: classified.isRetryable)
        }
        let delay = random.withLock { policy.delay(beforeRetry: attempt, using: &$0) }
        observer?(RetryEvent(operation: operation, attempt: attempt, delay: delay, error: classified.error))
        return delay
    }

    static func annotate(_ error: any Error, attempts: Int, operation: String, retryable: Bool) -> any Error {
        guard var mantis = error as? MantisError else { return error }
        mantis.context.metadata["attempts"] = String(attempts)
        if mantis.context.operation == nil { mantis.context.operation = operation }
        if !retryable { mantis.context.metadata["retried"] = "no (not retryable)" }
        return mantis
    }
}

/// One retry about to happen.
public struct RetryEvent: Sendable {
    public var operation: String
    /// The attempt that failed (1-based).
    public var attempt: Int
    /// The wait before the next attempt.
    public var delay: Duration
    public var error: MantisError
}
