import Synchronization

/// Samples the database's status every `interval` (and on demand, e.g. at scrape time) into
/// `DatabaseMetrics`. Sampling reads in-memory snapshots only: it never blocks a commit.
public final class MetricsSampler: Sendable {
    public let metrics: DatabaseMetrics
    let source: @Sendable () -> DatabaseSample
    let task = Mutex<Task<Void, Never>?>(nil)
    /// Serializes samples (a scrape and the timer at the same time) so deltas are taken in order.
    let gate = Mutex<Void>(())

    public init(metrics: DatabaseMetrics, source: @escaping @Sendable () -> DatabaseSample) {
        self.metrics = metrics
        self.source = source
    }

    /// Takes one sample now.
    public func sample() {
        gate.withLock { _ in metrics.record(source()) }
    }

    /// Samples every `interval` until `stop()`. No effect if already started.
    public func start(interval: Duration) {
        task.withLock { task in
            guard task == nil else { return }
            task = Task.detached { [weak self] in
                while !Task.isCancelled {
                    do { try await Task.sleep(for: interval) } catch { return }
                    guard let self else { return }
                    self.sample()
                }
            }
        }
    }

    /// Stops the timer and takes a last sample.
    public func stop() async {
        let running = task.withLock { task -> Task<Void, Never>? in
            defer { task = nil }
            return task
        }
        running?.cancel()
        await running?.value
        if running != nil { sample() }
    }
}
