import Logging
import MantisCore

/// Writes every alert to the log: critical as `critical`, warnings as `warning`, resolutions as `notice`.
public struct LoggingAlertSink: AlertSink {
    let logger: Logger

    public init(logger: Logger) { self.logger = logger }

    public var name: String { "log" }

    public func send(_ alert: Alert) async {
        var metadata: Logger.Metadata = ["alert": "\(alert.name)"]
        for (key, value) in alert.details { metadata[key] = "\(value)" }
        switch alert.severity {
        case .critical: logger.critical("ALERT \(alert.name): \(alert.message)", metadata: metadata)
        case .warning: logger.warning("ALERT \(alert.name): \(alert.message)", metadata: metadata)
        case .resolved: logger.notice("RESOLVED \(alert.name): \(alert.message)", metadata: metadata)
        }
    }
}

/// Sends each alert to every sink in turn.
struct FanOutAlertSink: AlertSink {
    let sinks: [any AlertSink]
    var name: String { sinks.map(\.name).joined(separator: "+") }
    func send(_ alert: Alert) async {
        for sink in sinks { await sink.send(alert) }
    }
}
