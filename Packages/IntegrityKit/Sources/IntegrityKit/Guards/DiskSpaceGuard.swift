import Logging
import MantisCore
import Synchronization

/// Refuses new writes while free space on the data (and archive) directories is below a
/// reserve, so the disk never fills under the write-ahead log: a full disk mid-append would fail
/// the log and force a restart, whereas a refusal here loses nothing.
///
/// - Refused writes throw `diskFull` saying how much is free, what the reserve is and where
///   (metadata: `path`, `available_bytes`, `total_bytes`, `reserve_bytes`, `requested_bytes`).
///   Reads are never affected. Writes resume by themselves once space returns.
/// - `admit` is cheap: it works from a cached `diskSpace` reading, refreshed at most every
///   `pollInterval`. Bytes admitted since the last reading are subtracted from the data
///   directory's (the first path's) free space, so a burst of writes cannot run past the reserve
///   between two readings; when that estimate says "refuse", the guard reads again first (at
///   most every `repollInterval`), so an estimate alone never refuses a write.
/// - Alerts `disk_below_reserve` (warning) when any path falls below its reserve and
///   `resolved` when all are above again. If free space cannot be read, writes are admitted
///   (the log's own ENOSPC handling still protects the data) and `disk_space_unknown` is raised.
public final class DiskSpaceGuard: WriteAdmission, Sendable {
    public struct Options: Sendable, Hashable {
        public var reserve: DiskReserve
        /// The longest a reading is used before `admit` reads again.
        public var pollInterval: Duration
        /// The shortest interval between readings when the estimate says "refuse".
        public var repollInterval: Duration

        public init(reserve: DiskReserve = .percent(5), pollInterval: Duration = .milliseconds(500), repollInterval: Duration = .milliseconds(10)) {
            self.reserve = reserve
            self.pollInterval = pollInterval
            self.repollInterval = repollInterval
        }
    }

    /// The directories watched; the first is the data directory.
    public let paths: [String]
    public let options: Options
    let fileSystem: any FileSystem
    let clock: any MonotonicClock
    let alerts: AlertDispatcher
    let logger: Logger
    let state: Mutex<DiskGuardState>
    let monitor = Mutex<Task<Void, Never>?>(nil)

    /// - Precondition: `paths` is not empty.
    public init(fileSystem: any FileSystem, paths: [String], options: Options = Options(),
                clock: any MonotonicClock = SystemMonotonicClock(), alerts: any AlertSink = NoAlertSink(),
                logger: Logger = Logger(label: "mantisdb.disk", factory: { _ in SwiftLogNoOpLogHandler() })) {
        precondition(!paths.isEmpty, "a disk space guard needs at least one path")
        self.paths = paths
        self.options = options
        self.fileSystem = fileSystem
        self.clock = clock
        self.alerts = AlertDispatcher(sink: alerts)
        self.logger = logger
        self.state = Mutex(DiskGuardState(paths: paths))
    }

    // MARK: WriteAdmission

    public func admit(bytes: Int) throws {
        let now = clock.now()
        let step = state.withLock { state -> DiskGuardState.Step in
            state.step(bytes: Int64(bytes), now: now, options: options)
        }
        switch step {
        case .admit:
            return
        case .refuse(let error):
            throw error
        case .poll:
            let readings = read()
            let (error, events) = state.withLock { state in
                let events = state.apply(readings, at: now, options: options)
                state.polling = false
                return (state.settle(bytes: Int64(bytes)), events)
            }
            report(events)
            if let error { throw error }
        }
    }

    // MARK: Monitoring

    /// Reads free space now (whatever the cache says) and raises or resolves alerts.
    public func refresh() {
        let now = clock.now()
        let readings = read()
        let events = state.withLock { state in state.apply(readings, at: now, options: options) }
        report(events)
    }

    /// Reads free space every `pollInterval` in the background, so alerts resolve (and the
    /// status stays current) even when no write arrives.
    /// No effect if already started. The task holds the guard only while it reads, not while it
    /// sleeps: a guard dropped without `stop()` is freed, and its `deinit` cancels the task.
    public func start() {
        monitor.withLock { monitor in
            guard monitor == nil else { return }
            monitor = Task.detached { [weak self] in
                while !Task.isCancelled {
                    guard let clock = self?.clock, let interval = self?.options.pollInterval else { return }
                    do { try await clock.sleep(for: interval) } catch { return }
                    guard let self else { return }
                    self.refresh()
                }
            }
        }
    }

    /// A guard dropped while started ends its polling task (which holds it only weakly).
    deinit {
        monitor.withLock { $0?.cancel() }
    }

    public func stop() async {
        let task = monitor.withLock { task -> Task<Void, Never>? in
            defer { task = nil }
            return task
        }
        task?.cancel()
        await task?.value
    }

    /// Returns once every alert raised so far has been delivered.
    public func alertsDelivered() async { await alerts.drain() }

    /// The last readings, per path, and what the guard has refused.
    public var report: DiskSpaceReport {
        state.withLock { $0.report(now: clock.now()) }
    }

    /// True while writes are refused.
    public var isBelowReserve: Bool { state.withLock { $0.belowReserve } }

    // MARK: Internals

    /// Free space of each path; a path that does not exist yet (an archive directory before the
    /// first archive) is measured at its nearest existing ancestor.
    private func read() -> [Result<DiskSpace, MantisError>] {
        paths.map { path in
            Result { () throws -> DiskSpace in
                var candidate = path
                while true {
                    do {
                        return try fileSystem.diskSpace(candidate)
                    } catch let error as MantisError where error.code == .notFound && candidate != "/" && candidate != "." {
                        candidate = Path.directory(of: candidate)
                    }
                }
            }.mapError { MantisError.wrap($0, code: .ioError) }
        }
    }

    private func report(_ events: [DiskGuardState.Event]) {
        for event in events {
            switch event {
            case .below(let text, let details):
                logger.warning("disk space below the reserve: writes refused", metadata: details.mapValues { .string($0) })
                alerts.post(Alert(name: "disk_below_reserve", severity: .warning, message: text, details: details))
            case .recovered(let text, let details):
                logger.notice("disk space back above the reserve: writes resume", metadata: details.mapValues { .string($0) })
                alerts.post(Alert(name: "disk_below_reserve", severity: .resolved, message: text, details: details))
            case .unknown(let text, let details):
                logger.error("cannot read free disk space", metadata: details.mapValues { .string($0) })
                alerts.post(Alert(name: "disk_space_unknown", severity: .warning, message: text, details: details))
            case .known(let text):
                alerts.post(Alert(name: "disk_space_unknown", severity: .resolved, message: text))
            }
        }
    }
}

/// What a `DiskSpaceGuard` last saw.
public struct DiskSpaceReport: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var path: String
        /// nil until a reading succeeded.
        public var available: Int64?
        public var total: Int64?
        public var reserve: Int64?
        public var belowReserve: Bool
        /// The last reading's error, if it failed.
        public var error: String?
    }

    public var entries: [Entry]
    public var belowReserve: Bool
    /// Writes refused so far.
    public var refusedWrites: UInt64
    /// Bytes admitted since the last reading (subtracted from the data directory's free space).
    public var admittedSinceReading: Int64
    /// How old the last reading is (nil if none yet).
    public var readingAge: Duration?
}
