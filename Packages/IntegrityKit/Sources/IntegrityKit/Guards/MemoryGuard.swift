import Logging
import MantisCore
import Synchronization

/// Bounds the memory held by the store and the write buffers (DESIGN.md rule 6).
///
/// `usage` reports the bytes held now — typically the store's `statistics.approximateBytes`
/// plus the log's pending bytes. Readings are cached for `sampleInterval`.
/// - Past the **soft** limit: `relieve` runs in the background (garbage collection of old
///   versions, flushing buffers), at most one at a time and at most once per `reliefInterval`;
///   `admitWithBackpressure` slows writers down in proportion to how far past the soft limit
///   usage is (up to `maxBackpressure`); `memory_pressure` alerts (warning).
/// - Past the **hard** limit: writes are refused with `memoryLimit` (usage and limits in the
///   message and metadata), except delete-only writes (they free memory once collected);
///   reads are never affected; `memory_pressure` turns critical.
/// - Below the soft limit again: writes resume by themselves; `memory_pressure` resolves.
public final class MemoryGuard: WriteAdmission, Sendable {
    public struct Options: Sendable, Hashable {
        public var softLimit: Int
        public var hardLimit: Int
        public var sampleInterval: Duration
        public var reliefInterval: Duration
        public var maxBackpressure: Duration

        public init(softLimit: Int, hardLimit: Int, sampleInterval: Duration = .milliseconds(10),
                    reliefInterval: Duration = .seconds(1), maxBackpressure: Duration = .milliseconds(20)) {
            self.softLimit = softLimit
            self.hardLimit = hardLimit
            self.sampleInterval = sampleInterval
            self.reliefInterval = reliefInterval
            self.maxBackpressure = maxBackpressure
        }

        /// - Throws: `invalidConfiguration` unless `0 < softLimit <= hardLimit`.
        public func validate() throws {
            guard softLimit > 0, softLimit <= hardLimit else {
                throw MantisError(.invalidConfiguration, "memory limits: need 0 < soft (\(softLimit)) <= hard (\(hardLimit))",
                                  context: ErrorContext(operation: "configure", metadata: ["setting": "memory.soft_limit"]))
            }
        }
    }

    /// Where usage stands relative to the limits.
    public enum Level: String, Sendable, Hashable, Comparable {
        case normal, soft, hard

        private var rank: Int {
            switch self {
            case .normal: 0
            case .soft: 1
            case .hard: 2
            }
        }
        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rank < rhs.rank }
    }

    public let options: Options
    let usage: @Sendable () -> Int
    let relieve: (@Sendable () async -> Void)?
    let clock: any MonotonicClock
    let alerts: AlertDispatcher
    let logger: Logger
    let state = Mutex(MemoryGuardState())

    /// - Parameters:
    ///   - usage: the bytes held now (called at most once per `sampleInterval` by `admit`).
    ///   - relieve: frees memory (garbage collection, buffer flushes); nil if nothing can.
    public init(options: Options, usage: @escaping @Sendable () -> Int, relieve: (@Sendable () async -> Void)? = nil,
                clock: any MonotonicClock = SystemMonotonicClock(), alerts: any AlertSink = NoAlertSink(),
                logger: Logger = Logger(label: "mantisdb.memory", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.options = options
        self.usage = usage
        self.relieve = relieve
        self.clock = clock
        self.alerts = AlertDispatcher(sink: alerts)
        self.logger = logger
    }

    // MARK: Admission

    public func admit(bytes: Int) throws {
        try admit(bytes: bytes, deletesOnly: false)
    }

    /// Refuses the write (`memoryLimit`) if it would take usage past the hard limit, unless it
    /// only deletes. Past the soft limit, starts relief.
    public func admit(bytes: Int, deletesOnly: Bool) throws {
        let now = clock.now()
        let current = sample(now: now)
        if current >= options.softLimit { startRelief(now: now) }
        guard !deletesOnly, current + bytes > options.hardLimit else { return }
        state.withLock { $0.refused += 1 }
        throw MantisError(
            .memoryLimit,
            "write refused: memory in use is \(ByteCount.format(Int64(current))), this write needs \(ByteCount.format(Int64(bytes))) and the hard limit is \(ByteCount.format(Int64(options.hardLimit))) (soft \(ByteCount.format(Int64(options.softLimit)))); reads continue, writes resume once garbage collection or deletes free memory",
            context: ErrorContext(operation: "admit write", metadata: [
                "usage_bytes": String(current), "requested_bytes": String(bytes),
                "soft_limit_bytes": String(options.softLimit), "hard_limit_bytes": String(options.hardLimit),
            ]))
    }

    /// `admit`, after waiting in proportion to how far usage is past the soft limit (at most
    /// `maxBackpressure`): writers slow down while relief catches up.
    /// The commit path: backpressure past the soft limit, deletes admitted past the hard one.
    public func admit(_ request: WriteRequest) async throws {
        try await admitWithBackpressure(bytes: request.bytes, deletesOnly: request.deletesOnly)
    }

    public func admitWithBackpressure(bytes: Int, deletesOnly: Bool = false) async throws {
        let delay = backpressure(now: clock.now())
        if !deletesOnly, delay > .zero { try await clock.sleep(for: delay) }
        try admit(bytes: bytes, deletesOnly: deletesOnly)
    }

    /// The wait `admitWithBackpressure` would impose now.
    public func backpressure(now: Duration) -> Duration {
        let current = sample(now: now)
        guard current > options.softLimit else { return .zero }
        let span = max(1, options.hardLimit - options.softLimit)
        let fraction = min(1, Double(current - options.softLimit) / Double(span))
        return .nanoseconds(Int64(Double(options.maxBackpressure.wholeNanoseconds) * fraction))
    }

    // MARK: Relief

    /// Runs `relieve` now (waiting for one already running) and returns the bytes it freed.
    @discardableResult
    public func relieveNow() async -> Int {
        await reliefCompleted()
        let task = state.withLock { state -> Task<Void, Never>? in
            if state.relief == nil { state.relief = makeReliefTask() }
            return state.relief
        }
        await task?.value
        return state.withLock { $0.lastFreed }
    }

    /// Returns once the relief in progress (if any) has finished.
    public func reliefCompleted() async {
        while let task = state.withLock({ $0.relief }) { await task.value }
    }

    /// Returns once every alert raised so far has been delivered.
    public func alertsDelivered() async { await alerts.drain() }

    /// Usage, limits, level and what the guard has done.
    public var report: MemoryReport {
        let now = clock.now()
        return state.withLock { state in
            MemoryReport(usage: state.usage, softLimit: options.softLimit, hardLimit: options.hardLimit, level: state.level,
                         refusedWrites: state.refused, reliefRuns: state.reliefRuns, lastReliefFreed: state.lastFreed,
                         readingAge: state.sampledAt.map { now - $0 })
        }
    }

    // MARK: Internals

    /// Usage now (cached for `sampleInterval`), updating the level and alerts.
    func sample(now: Duration) -> Int {
        if let cached = state.withLock({ state -> Int? in
            guard let at = state.sampledAt, now - at < options.sampleInterval else { return nil }
            return state.usage
        }) {
            return cached
        }
        return record(usage(), at: now)
    }

    @discardableResult
    func record(_ value: Int, at now: Duration) -> Int {
        let change = state.withLock { state -> (Level, Level)? in
            state.usage = value
            state.sampledAt = now
            let level: Level = value >= options.hardLimit ? .hard : value >= options.softLimit ? .soft : .normal
            guard level != state.level else { return nil }
            defer { state.level = level }
            return (state.level, level)
        }
        if let (from, to) = change { announce(from: from, to: to, usage: value) }
        return value
    }

    private func startRelief(now: Duration) {
        guard relieve != nil else { return }
        state.withLock { state in
            guard state.relief == nil else { return }
            if let last = state.lastReliefAt, now - last < options.reliefInterval { return }
            state.lastReliefAt = now
            state.relief = makeReliefTask()
        }
    }

    /// A task running `relieve` once and recording what it freed. Called with the lock held.
    private func makeReliefTask() -> Task<Void, Never> {
        Task.detached { [self] in
            let before = usage()
            await relieve?()
            let after = usage()
            record(after, at: clock.now())
            state.withLock { state in
                state.reliefRuns += 1
                state.lastFreed = max(0, before - after)
                state.relief = nil
            }
            logger.info("memory relief ran", metadata: ["before": "\(before)", "after": "\(after)"])
        }
    }

    private func announce(from: Level, to: Level, usage: Int) {
        let details = ["usage_bytes": String(usage), "soft_limit_bytes": String(options.softLimit), "hard_limit_bytes": String(options.hardLimit)]
        let used = ByteCount.format(Int64(usage))
        switch to {
        case .normal:
            logger.notice("memory back below the soft limit", metadata: details.mapValues { .string($0) })
            alerts.post(Alert(name: "memory_pressure", severity: .resolved,
                              message: "memory in use (\(used)) is below the soft limit again: writes proceed normally", details: details))
        case .soft:
            logger.warning("memory past the soft limit", metadata: details.mapValues { .string($0) })
            alerts.post(Alert(name: "memory_pressure", severity: .warning,
                              message: "memory in use (\(used)) is past the soft limit of \(ByteCount.format(Int64(options.softLimit))): collecting old versions, slowing writers" + (from == .hard ? "; writes are admitted again" : ""),
                              details: details))
        case .hard:
            logger.error("memory past the hard limit: writes refused", metadata: details.mapValues { .string($0) })
            alerts.post(Alert(name: "memory_pressure", severity: .critical,
                              message: "memory in use (\(used)) is past the hard limit of \(ByteCount.format(Int64(options.hardLimit))): writes are refused, reads continue",
                              details: details))
        }
    }
}

struct MemoryGuardState: Sendable {
    var usage = 0
    var sampledAt: Duration?
    var level = MemoryGuard.Level.normal
    var refused: UInt64 = 0
    var reliefRuns = 0
    var lastFreed = 0
    var lastReliefAt: Duration?
    var relief: Task<Void, Never>?
}

/// What a `MemoryGuard` reports.
public struct MemoryReport: Sendable, Hashable {
    public var usage: Int
    public var softLimit: Int
    public var hardLimit: Int
    public var level: MemoryGuard.Level
    public var refusedWrites: UInt64
    public var reliefRuns: Int
    /// Bytes the last relief freed.
    public var lastReliefFreed: Int
    public var readingAge: Duration?
}
