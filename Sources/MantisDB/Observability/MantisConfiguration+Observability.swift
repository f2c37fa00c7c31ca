import Logging
import MantisCore
import ObservabilityKit

extension MantisConfiguration {
    /// The alert policy and rules from `alerts.*` (the metrics factory is the caller's to set).
    public func observabilityOptions() -> DatabaseObservability.Options {
        var options = DatabaseObservability.Options()
        options.alertPolicy = AlertManager.Options(escalateAfter: alerts.escalateAfter, rateLimit: alerts.rateLimit)
        options.alertRules = AlertRules.Options(slowFsync: alerts.slowFsync, longTransaction: alerts.longTransaction)
        return options
    }

    /// The `file` alert sink: `alerts.file_path` (default `<data_dir>/alerts.jsonl`), rotated past
    /// `alerts.file_max_bytes`, each line synced.
    public func fileAlertSink(logger: Logger) -> FileAlertSink {
        let path = alerts.filePath ?? Path.join(dataDirectory, "alerts.jsonl")
        return FileAlertSink(options: FileAlertSink.Options(path: path, maxBytes: Int64(alerts.fileMaxBytes)), logger: logger)
    }

    /// The `webhook` alert sink, posting to `alerts.webhook_url`; what it cannot deliver is logged.
    /// - Throws: `invalidConfiguration` if the URL is missing or not `http://host[:port]/path`.
    public func webhookAlertSink(logger: Logger) throws -> WebhookAlertSink {
        guard let url = alerts.webhookURL, !url.isEmpty else {
            throw MantisError(.invalidConfiguration, "alerts.sinks lists webhook but alerts.webhook_url is not set",
                              context: ErrorContext(operation: "configure", metadata: ["setting": "alerts.webhook_url"]))
        }
        var options = WebhookAlertSink.Options(endpoint: try HTTPEndpoint(parsing: url))
        options.timeout = alerts.webhookTimeout
        return WebhookAlertSink(options: options, fallback: LoggingAlertSink(logger: logger), logger: logger)
    }
}
