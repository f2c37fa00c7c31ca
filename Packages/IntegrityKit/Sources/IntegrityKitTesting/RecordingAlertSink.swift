import MantisCore
import Synchronization

/// An `AlertSink` that keeps every alert, for tests to inspect.
public final class RecordingAlertSink: AlertSink, Sendable {
    private let recorded = Mutex<[Alert]>([])

    public init() {}

    public var name: String { "recording" }

    public func send(_ alert: Alert) async {
        recorded.withLock { $0.append(alert) }
    }

    /// Every alert received, in order.
    public var alerts: [Alert] { recorded.withLock { $0 } }

    /// The alerts named `name`, in order.
    public func alerts(named name: String) -> [Alert] { alerts.filter { $0.name == name } }

    /// The severities of the alerts named `name`, in order.
    public func severities(_ name: String) -> [Alert.Severity] { alerts(named: name).map(\.severity) }

    public func removeAll() { recorded.withLock { $0.removeAll() } }
}
