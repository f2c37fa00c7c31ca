import Dispatch
import IntegrityKit
import Logging
import MantisCore
import RecoveryKit
import Synchronization

/// Re-reads the write-ahead log and the checkpoints of a data directory on an interval, at a
/// bounded rate, verifying every checksum — finding bit rot before recovery needs the bytes.
///
/// What a pass does:
/// 1. Samples the live log's durable LSN (`liveLog`), *then* reads: damage after that point may
///    be a write in progress and is never reported; damage at or before it is real. Without a
///    live log (offline), WALVerifier semantics apply: a torn tail in the last segment is
///    expected, corruption anywhere is damage.
/// 2. Verifies every checkpoint (`CheckpointReader.verify`) and the whole log
///    (`WALVerifier.verify`), through a `RateLimitedFileSystem` (`bytesPerSecond`).
/// 3. Re-reads what failed (`confirmDamage`): a file that verifies the second time had a
///    transient read error — reported (`scrub_read_error`), nothing moved.
/// 4. Quarantines confirmed damage with a JSON report (what, where, when, how detected):
///    a **checkpoint** is moved to `quarantine/` (as recovery itself would: a checkpoint that
///    fails verification is useless to recovery, and left in place it would count against
///    checkpoint retention); a **WAL segment** is *copied* — the live log may still write it
///    (the active segment) or list it, and recovery may still need it — and only leaves the log
///    through the log's own trimming after a fresh checkpoint is durable. Alerts `scrub_damage`
///    (critical).
/// 5. Self-heals: if recovery would still need a damaged file (no verified checkpoint at or
///    after a damaged checkpoint's LSN; a damaged segment recovery replays or opens), and
///    `selfHeal` is given (the database passes its checkpoint call), takes a fresh checkpoint
///    at once — sealing the active segment first and trimming the log below the damage after,
///    when `maintenance` allows — then verifies the new checkpoint and re-evaluates. Nothing
///    recovery needs is removed before that checkpoint is durable and verified.
///
/// Health (`status.health`, `check()`): critical while recovery depends on a damaged file,
/// degraded until an operator `acknowledge`s healed or transient findings.
///
/// The file I/O of a pass runs on the scrubber's own thread, never on the concurrency pool.
public final class Scrubber: Sendable {
    public let dataDirectory: DataDirectory
    public let options: ScrubberOptions
    let fileSystem: any FileSystem
    let checksums: [any ChecksumAlgorithm]
    let codecs: [any CheckpointCodec]
    let alerts: any AlertSink
    let clock: any MonotonicClock
    let liveLog: (@Sendable () -> LiveLogPosition?)?
    let selfHeal: (@Sendable () async throws -> Void)?
    let maintenance: WALMaintenance?
    let logger: Logger
    let bucket: TokenBucket?

    let state = Mutex(ScrubberState())
    let gate = SerialGate()
    let queue = DispatchQueue(label: "mantisdb.scrub")
    let scheduler = Mutex<Task<Void, Never>?>(nil)
    /// The rate-limited view of the pass in progress (cancelled by `stop`).
    let reader = Mutex<RateLimitedFileSystem?>(nil)

    /// - Parameters:
    ///   - checksums: every checksum algorithm files may have been written with.
    ///   - codecs: every checkpoint codec files may have been written with.
    ///   - liveLog: the open log's position (`LiveLogPosition.of(wal)`); nil when scrubbing a
    ///     directory no process writes.
    ///   - selfHeal: takes a checkpoint and returns once it is durable (the database passes
    ///     `checkpointer.checkpoint()`); nil: damage is reported and quarantined, not healed.
    ///   - maintenance: sealing and trimming the log, so healing can take a damaged segment out
    ///     of what recovery reads.
    public init(
        dataDirectory: DataDirectory,
        fileSystem: any FileSystem,
        checksums: [any ChecksumAlgorithm],
        codecs: [any CheckpointCodec],
        options: ScrubberOptions = ScrubberOptions(),
        alerts: any AlertSink = NoAlertSink(),
        clock: any MonotonicClock = SystemMonotonicClock(),
        liveLog: (@Sendable () -> LiveLogPosition?)? = nil,
        selfHeal: (@Sendable () async throws -> Void)? = nil,
        maintenance: WALMaintenance? = nil,
        logger: Logger = Logger(label: "mantisdb.scrub", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.dataDirectory = dataDirectory
        self.fileSystem = fileSystem
        self.checksums = checksums
        self.codecs = codecs
        self.options = options
        self.alerts = alerts
        self.clock = clock
        self.liveLog = liveLog
        self.selfHeal = selfHeal
        self.maintenance = maintenance
        self.logger = logger
        // A rate ≤ 0 is refused by `ScrubberOptions.validate()`; here it means unlimited.
        self.bucket = options.bytesPerSecond.flatMap { $0 > 0 ? TokenBucket(rate: $0, burst: max(0, options.burstBytes), clock: clock) : nil }
    }

    /// Counters, findings, the pass in progress.
    public var status: ScrubStatus {
        let bytesNow = reader.withLock { $0?.bytesRead }
        return state.withLock { state in
            var status = state.status
            if status.inProgress, var progress = status.progress, let bytesNow {
                progress.bytesDone = bytesNow
                progress.file = state.currentFile
                status.progress = progress
            }
            return status
        }
    }

    /// Runs one pass now (after any pass in progress) and returns what it did.
    @discardableResult
    public func scrubOnce() async throws -> ScrubPassReport {
        try await gate.run { try await self.pass() }
    }

    /// Runs a pass every `options.interval` in the background (no effect if already started).
    public func start() {
        scheduler.withLock { scheduled in
            guard scheduled == nil else { return }
            scheduled = makeScheduler()
        }
    }

    private func makeScheduler() -> Task<Void, Never> {
        Task.detached { [weak self] in
            var delay = self?.options.firstPassDelay ?? self?.options.interval ?? .seconds(3600)
            while !Task.isCancelled {
                guard let clock = self?.clock else { return }
                do { try await clock.sleep(for: delay) } catch { return }
                guard let self, !Task.isCancelled else { return }
                do {
                    try await self.scrubOnce()
                } catch {
                    self.logger.error("scrub pass failed", metadata: ["error": "\(error)"])
                }
                delay = self.options.interval
            }
        }
    }

    /// Stops scheduling and cancels the pass in progress (it stops at its next read).
    public func stop() async {
        let task = scheduler.withLock { task -> Task<Void, Never>? in
            defer { task = nil }
            return task
        }
        task?.cancel()
        reader.withLock { $0?.cancel() }
        await task?.value
    }

    /// Clears the findings an operator has looked at: healed, not-needed and transient ones
    /// (unresolved damage stays). Resolves `scrub_damage` and `scrub_read_error` when nothing
    /// is left. Returns how many were cleared.
    @discardableResult
    public func acknowledge() async -> Int {
        let (cleared, damageLeft, readErrorsLeft) = state.withLock { state -> (Int, Bool, Bool) in
            let before = state.status.findings.count
            state.status.findings.removeAll { $0.resolution != .unresolved }
            let left = state.status.findings
            return (before - left.count, left.contains { $0.resolution != .transient }, left.contains { $0.resolution == .transient })
        }
        if cleared > 0 {
            if !damageLeft {
                await alerts.send(Alert(name: "scrub_damage", severity: .resolved, message: "scrub findings acknowledged: no unresolved damage"))
            }
            if !readErrorsLeft {
                await alerts.send(Alert(name: "scrub_read_error", severity: .resolved, message: "scrub read errors acknowledged"))
            }
        }
        return cleared
    }

    /// Runs `body` on the scrubber's thread.
    func onScrubThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}

/// The mutable part of a scrubber.
struct ScrubberState: Sendable {
    var status = ScrubStatus()
    var nextFindingID = 1
    var currentFile: String?
}
