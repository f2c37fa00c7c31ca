import Foundation
import IntegrityKit
import Logging
import MantisCore
import MantisCoreTesting
import MantisDB
import ObservabilityKit
import ObservabilityKitTesting
import Synchronization
import Testing

/// The three alert sinks of a deployment, observable: `log` (into memory), `file` (a real file)
/// and `webhook` (a local HTTP server).
final class AlertSinks: Sendable {
    let directory: String
    let logLines = MemoryLogOutput()
    let log: LoggingAlertSink
    let file: FileAlertSink
    let server: TestWebhookServer
    let webhook: WebhookAlertSink

    init() async throws {
        directory = try makeTemporaryDirectory()
        let output = logLines
        log = LoggingAlertSink(logger: Logger(label: "mantisdb.alerts") { TextLogHandler(label: $0, level: .trace, output: output) })
        file = FileAlertSink(options: .init(path: directory + "/alerts.jsonl"))
        server = try await TestWebhookServer.start()
        var options = WebhookAlertSink.Options(endpoint: try HTTPEndpoint(parsing: server.url))
        options.retry = RetryPolicy(maxAttempts: 2, initialDelay: .milliseconds(5), maxDelay: .milliseconds(10))
        webhook = WebhookAlertSink(options: options, fallback: log)
    }

    var all: [any AlertSink] { [log, file, webhook] }

    func fileAlerts() -> [(name: String, severity: String)] {
        guard let text = try? String(contentsOfFile: directory + "/alerts.jsonl", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let name = object["name"] as? String, let severity = object["severity"] as? String else { return nil }
            return (name, severity)
        }
    }

    func webhookAlerts() -> [(name: String, severity: String)] {
        server.requests.compactMap { request in
            guard let object = try? JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any],
                  let name = object["name"] as? String, let severity = object["severity"] as? String else { return nil }
            return (name, severity)
        }
    }

    func logAlerts() -> [(name: String, severity: String)] {
        logLines.lines.compactMap { line in
            for (marker, severity) in [(" critical mantisdb.alerts: ALERT ", "critical"), (" warning mantisdb.alerts: ALERT ", "warning"),
                                       (" notice mantisdb.alerts: RESOLVED ", "resolved")] {
                if let range = line.range(of: marker) {
                    let name = line[range.upperBound...].prefix { $0 != ":" }
                    return (String(name), severity)
                }
            }
            return nil
        }
    }

    /// Waits until the alert reached all three sinks (up to `seconds`).
    func delivered(_ name: String, _ severity: Alert.Severity, seconds: Double = 15) async -> Bool {
        await observedEventually(seconds: seconds) { reachedAll(name, severity) }
    }

    func reachedAll(_ name: String, _ severity: Alert.Severity) -> Bool {
        let wanted = severity.rawValue
        return logAlerts().contains { $0 == (name, wanted) } && fileAlerts().contains { $0 == (name, wanted) }
            && webhookAlerts().contains { $0 == (name, wanted) }
    }

    /// What each sink got, for failure messages.
    var summary: String {
        "log: \(logAlerts())\nfile: \(fileAlerts())\nwebhook: \(webhookAlerts())"
    }

    func remove() async {
        await server.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Polls `condition` every 5 ms for up to `seconds`.
func observedEventually(seconds: Double = 10, _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}

/// Database options for observability tests: small segments, fast rules and sampling.
func observedOptions(_ directory: String, fileSystem: any FileSystem, sinks: [any AlertSink]) -> DatabaseOptions {
    var options = DatabaseOptions(directory: directory)
    options.fileSystem = fileSystem
    options.wal.segmentSize = 1 << 20
    options.wal.prepareSegmentsAhead = false
    options.wal.syncAlignment = 512
    options.diskReserve = nil
    options.scrub = nil
    options.checkpoints.interval = nil
    options.checkpoints.walBytes = nil
    options.alertSinks = sinks
    options.observability.sampleInterval = .milliseconds(50)
    options.observability.alertRules = AlertRules.Options(slowFsync: .milliseconds(60), longTransaction: .milliseconds(300), interval: .milliseconds(20))
    options.observability.alertPolicy = AlertManager.Options(escalateAfter: nil, rateLimit: .zero, tickInterval: .milliseconds(20))
    return options
}

func utf8(_ text: String) -> [UInt8] { Array(text.utf8) }

/// A file system that delays or holds back the syncs of WAL files, to make a slow or hung disk:
/// everything else goes straight to `base`.
final class SyncControlFileSystem: ForwardingFileSystem, Sendable {
    let base: any FileSystem
    let control = Mutex<(delay: Duration, blocked: Bool)>((.zero, false))
    let syncs = Atomic<Int>(0)

    init(base: any FileSystem) { self.base = base }

    var name: String { "sync-control" }
    var delay: Duration {
        get { control.withLock { $0.delay } }
        set { control.withLock { $0.delay = newValue } }
    }
    /// While true, WAL syncs wait (a stalled flusher / hung fdatasync).
    var blocked: Bool {
        get { control.withLock { $0.blocked } }
        set { control.withLock { $0.blocked = newValue } }
    }

    func beforeSync(_ path: String) {
        guard path.contains("/wal/") else { return }
        syncs.add(1, ordering: .relaxed)
        let delay = self.delay
        if delay > .zero { Thread.sleep(forTimeInterval: Double(delay.components.seconds) + Double(delay.components.attoseconds) * 1e-18) }
        let deadline = Date().addingTimeInterval(30)
        while blocked, Date() < deadline { Thread.sleep(forTimeInterval: 0.002) }
    }

    func openFile(_ path: String, options: FileOpenOptions) throws -> any StorageFile {
        ControlledFile(base: try base.openFile(path, options: options), fileSystem: self)
    }
}

final class ControlledFile: ForwardingStorageFile, Sendable {
    let base: any StorageFile
    let fileSystem: SyncControlFileSystem

    init(base: any StorageFile, fileSystem: SyncControlFileSystem) {
        self.base = base
        self.fileSystem = fileSystem
    }

    func sync() throws {
        fileSystem.beforeSync(path)
        try base.sync()
    }
    func syncData() throws {
        fileSystem.beforeSync(path)
        try base.syncData()
    }
}
