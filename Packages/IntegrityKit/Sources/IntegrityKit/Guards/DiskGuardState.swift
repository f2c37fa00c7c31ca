import MantisCore

/// The mutable part of a `DiskSpaceGuard`, behind its mutex. Pure logic: no I/O, no alerts.
struct DiskGuardState: Sendable {
    struct PathState: Sendable {
        var path: String
        var space: DiskSpace?
        var error: String?
    }

    enum Step {
        case admit
        case refuse(MantisError)
        /// The caller reads free space and calls `apply` (it alone: `polling` is set).
        case poll
    }

    enum Event {
        case below(String, [String: String])
        case recovered(String, [String: String])
        case unknown(String, [String: String])
        case known(String)
    }

    var paths: [PathState]
    var readAt: Duration?
    var admittedSinceReading: Int64 = 0
    var polling = false
    var refused: UInt64 = 0
    var belowReserve = false
    var unknown = false
    var reserve = DiskReserve.bytes(0)

    init(paths: [String]) {
        self.paths = paths.map { PathState(path: $0) }
    }

    /// Decides from the cache, or hands the caller the job of reading.
    mutating func step(bytes: Int64, now: Duration, options: DiskSpaceGuard.Options) -> Step {
        reserve = options.reserve
        let age = readAt.map { now - $0 }
        let verdict = decide(bytes: bytes)
        let stale = age.map { $0 >= options.pollInterval } ?? true
        let recheck = verdict != nil && (age.map { $0 >= options.repollInterval } ?? true)
        if (stale || recheck) && !polling {
            polling = true
            return .poll
        }
        if let verdict {
            refused += 1
            return .refuse(verdict)
        }
        admittedSinceReading += bytes
        return .admit
    }

    /// Decides a write of `bytes` on the current readings and counts it (refused, or admitted
    /// against the estimate).
    mutating func settle(bytes: Int64) -> MantisError? {
        if let refusal = decide(bytes: bytes) {
            refused += 1
            return refusal
        }
        admittedSinceReading += bytes
        return nil
    }

    /// The refusal for a write of `bytes`, or nil to admit it.
    func decide(bytes: Int64) -> MantisError? {
        for (index, entry) in paths.enumerated() {
            guard let space = entry.space else { continue }
            let reserveBytes = reserve.bytes(ofTotal: space.total)
            let estimate = space.available - (index == 0 ? admittedSinceReading : 0)
            if estimate - bytes < reserveBytes {
                return Self.refusal(path: entry.path, space: space, estimate: estimate, reserve: reserveBytes, requested: bytes, setting: reserve)
            }
        }
        return nil
    }

    /// Takes new readings; returns the alert-worthy changes.
    mutating func apply(_ readings: [Result<DiskSpace, MantisError>], at now: Duration, options: DiskSpaceGuard.Options) -> [Event] {
        reserve = options.reserve
        var events: [Event] = []
        var failures: [String] = []
        for (index, reading) in readings.enumerated() {
            switch reading {
            case .success(let space):
                paths[index].space = space
                paths[index].error = nil
            case .failure(let error):
                paths[index].error = "\(error)"
                failures.append("\(paths[index].path): \(error)")
            }
        }
        readAt = now
        admittedSinceReading = 0
        if !failures.isEmpty && !unknown {
            unknown = true
            events.append(.unknown("cannot read free space (writes are admitted unchecked): " + failures.joined(separator: "; "),
                                   ["paths": failures.joined(separator: "; ")]))
        } else if failures.isEmpty && unknown {
            unknown = false
            events.append(.known("free space can be read again"))
        }
        let below = paths.compactMap { entry -> (PathState, DiskSpace, Int64)? in
            guard let space = entry.space else { return nil }
            let reserveBytes = reserve.bytes(ofTotal: space.total)
            return space.available < reserveBytes ? (entry, space, reserveBytes) : nil
        }
        if let (entry, space, reserveBytes) = below.first, !belowReserve {
            belowReserve = true
            events.append(.below(
                "free space on \(entry.path) is \(ByteCount.format(space.available)) of \(ByteCount.format(space.total)), below the reserve of \(ByteCount.format(reserveBytes)) (\(reserve)): new writes are refused, reads continue",
                Self.details(path: entry.path, space: space, reserve: reserveBytes)))
        } else if below.isEmpty && belowReserve {
            belowReserve = false
            let first = paths[0]
            events.append(.recovered(
                "free space is above the reserve again on every watched path: writes resume",
                first.space.map { Self.details(path: first.path, space: $0, reserve: reserve.bytes(ofTotal: $0.total)) } ?? [:]))
        }
        return events
    }

    func report(now: Duration) -> DiskSpaceReport {
        DiskSpaceReport(
            entries: paths.map { entry in
                DiskSpaceReport.Entry(
                    path: entry.path, available: entry.space?.available, total: entry.space?.total,
                    reserve: entry.space.map { reserve.bytes(ofTotal: $0.total) },
                    belowReserve: entry.space.map { $0.available < reserve.bytes(ofTotal: $0.total) } ?? false,
                    error: entry.error)
            },
            belowReserve: belowReserve, refusedWrites: refused, admittedSinceReading: admittedSinceReading,
            readingAge: readAt.map { now - $0 })
    }

    static func details(path: String, space: DiskSpace, reserve: Int64) -> [String: String] {
        ["path": path, "available_bytes": String(space.available), "total_bytes": String(space.total), "reserve_bytes": String(reserve)]
    }

    static func refusal(path: String, space: DiskSpace, estimate: Int64, reserve: Int64, requested: Int64, setting: DiskReserve) -> MantisError {
        var metadata = details(path: path, space: space, reserve: reserve)
        metadata["requested_bytes"] = String(requested)
        let free = ByteCount.format(max(0, estimate))
        return MantisError(
            .diskFull,
            "write refused: \(free) free on \(path) (of \(ByteCount.format(space.total))), the reserve is \(ByteCount.format(reserve)) (\(setting)) and this write needs \(ByteCount.format(requested)); reads continue, writes resume once space is freed",
            context: ErrorContext(operation: "admit write", file: path, metadata: metadata))
    }
}
