import MantisCore
import Synchronization

/// Delivers alerts posted from synchronous code (a write guard on the commit path) to an
/// `AlertSink`, in posting order, on one background task: the poster never waits for delivery.
public final class AlertDispatcher: Sendable {
    public let sink: any AlertSink
    private let state = Mutex<(queue: [Alert], worker: Task<Void, Never>?)>(([], nil))

    public init(sink: any AlertSink) {
        self.sink = sink
    }

    /// Queues `alert` for delivery and returns at once.
    public func post(_ alert: Alert) {
        state.withLock { state in
            state.queue.append(alert)
            guard state.worker == nil else { return }
            state.worker = Task.detached { [self] in await deliverQueued() }
        }
    }

    /// Returns once every alert posted before the call has been delivered.
    public func drain() async {
        while let worker = state.withLock({ $0.worker }) {
            await worker.value
        }
    }

    private func deliverQueued() async {
        while let next = state.withLock({ state -> Alert? in
            guard !state.queue.isEmpty else {
                state.worker = nil
                return nil
            }
            return state.queue.removeFirst()
        }) {
            await sink.send(next)
        }
    }
}
