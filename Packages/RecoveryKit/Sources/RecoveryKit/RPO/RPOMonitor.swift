import MantisCore
import Synchronization

/// Watches the recovery-point objective: the most recent data an operator accepts to lose.
///
/// Raises `rpo_breach` (warning) when writes have been pending without anything becoming
/// durable for longer than the RPO, and `checkpoints_failing` (critical) when checkpoints keep
/// failing; announces each as resolved when it clears. `exposure` is the current window of
/// writes that a power loss would take.
public final class RPOMonitor: Sendable {
    public let rpo: Duration
    let wal: any WriteAheadLog
    let checkpointer: Checkpointer?
    let alerts: any AlertSink
    let failingAfter: Int
    let openedAt = WallClock.nanosecondsSinceEpoch()
    let raised = Mutex<Set<String>>([])
    let task = Mutex<Task<Void, Never>?>(nil)

    public init(rpo: Duration, wal: any WriteAheadLog, checkpointer: Checkpointer?, alerts: any AlertSink, checkpointFailuresBeforeAlert: Int = 3) {
        self.rpo = rpo
        self.wal = wal
        self.checkpointer = checkpointer
        self.alerts = alerts
        self.failingAfter = checkpointFailuresBeforeAlert
    }

    /// How long writes have been waiting to become durable (zero if none are pending): since the
    /// oldest of them was appended where the log tracks it, else since the last sync.
    public var exposure: Duration {
        let status = wal.status
        guard status.lastLSN > status.durableLSN else { return .zero }
        let since = status.oldestUndurableAtNanoseconds != 0 ? status.oldestUndurableAtNanoseconds
            : status.lastSyncAtNanoseconds == 0 ? openedAt : status.lastSyncAtNanoseconds
        let now = WallClock.nanosecondsSinceEpoch()
        return .nanoseconds(Int64(now > since ? now - since : 0))
    }

    /// Evaluates the rules once, raising or resolving alerts. An RPO of zero is met by
    /// construction (it requires `sync` durability: nothing is acknowledged before it is durable),
    /// so only checkpoint failures are watched then, and the log is not consulted.
    public func check() async {
        if rpo > .zero {
            let exposure = self.exposure
            await evaluate("rpo_breach", breached: exposure > rpo, severity: .warning,
                       message: "nothing made durable for \(exposure) while writes are pending (RPO \(rpo))",
                           details: ["exposure_ms": "\(exposure.components.seconds * 1000 + exposure.components.attoseconds / 1_000_000_000_000_000)"])
        }
        if let checkpointer {
            let failures = checkpointer.status.consecutiveFailures
            await evaluate("checkpoints_failing", breached: failures >= failingAfter, severity: .critical,
                           message: "\(failures) checkpoints in a row failed: recovery time and disk use grow",
                           details: ["last_failure": checkpointer.status.lastFailure ?? ""])
        }
    }

    private func evaluate(_ name: String, breached: Bool, severity: Alert.Severity, message: String, details: [String: String]) async {
        let change = raised.withLock { raised -> Bool? in
            if breached, !raised.contains(name) { raised.insert(name); return true }
            if !breached, raised.contains(name) { raised.remove(name); return false }
            return nil
        }
        switch change {
        case true?: await alerts.send(Alert(name: name, severity: severity, message: message, details: details))
        case false?: await alerts.send(Alert(name: name, severity: .resolved, message: "\(name) cleared"))
        case nil: break
        }
    }

    /// How often to `check`: a quarter of the RPO (10 ms to 1 s), so a breach is reported soon
    /// after it starts; with an RPO of zero, once a second (only checkpoint failures are watched).
    public static func checkInterval(for rpo: Duration) -> Duration {
        rpo > .zero ? min(.seconds(1), max(.milliseconds(10), rpo / 4)) : .seconds(1)
    }

    /// Checks every `interval` until `stop()`.
    public func start(interval: Duration) {
        let loop = Task.detached { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let self else { return }
                await self.check()
            }
        }
        task.withLock { $0 = loop }
    }

    public func stop() async {
        let loop = task.withLock { task -> Task<Void, Never>? in
            defer { task = nil }
            return task
        }
        loop?.cancel()
        await loop?.value
    }
}
