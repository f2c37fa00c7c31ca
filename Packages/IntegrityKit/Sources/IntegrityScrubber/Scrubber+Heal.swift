import IntegrityKit
import MantisCore
import RecoveryKit
import WALKit

/// What recovery would read now: the log's segments and the newest verified checkpoint.
struct RecoveryLayout: Sendable {
    struct Segment: Sendable {
        var path: String
        var firstLSN: LSN
    }

    var segments: [Segment]
    var newestVerifiedCheckpoint: LSN?
    /// The segment being appended to (the last one if no live log says otherwise).
    var active: String?
}

extension Scrubber {
    /// Decides, for every unresolved finding, whether recovery still depends on the file; if
    /// any does and healing is possible, heals (fresh checkpoint, sealing and trimming when
    /// available) and decides again. Returns nil if no healing was needed, else whether it
    /// took every dependency away.
    func evaluateAndHeal(newestVerified: LSN?, report: inout ScrubPassReport) async throws -> Bool? {
        let layout = try await onScrubThread { self.layout(newestVerified: newestVerified) }
        let dependent = settle(layout, healed: nil)
        guard !dependent.isEmpty else { return nil }
        guard let selfHeal else {
            logger.critical("scrub: recovery depends on damaged files and no self-healing is configured",
                            metadata: ["files": "\(dependent.map(\.file))"])
            return nil
        }
        var steps: [String] = []
        do {
            if let seal = maintenance?.sealActiveSegment,
               dependent.contains(where: { $0.kind == .walSegment && $0.file == layout.active }) {
                try await seal()
                steps.append("sealed the active segment")
            }
            try await selfHeal()
            let fs = RateLimitedFileSystem(base: fileSystem, bucket: bucket)
            var after = try await onScrubThread { try self.layoutVerifyingNewest(fs) }
            steps.append("took a fresh checkpoint" + (after.newestVerifiedCheckpoint.map { " (LSN \($0), verified)" } ?? ""))
            if let remove = maintenance?.removeSegments, let below = trimPoint(after) {
                try await onScrubThread { try remove(below) }
                steps.append("trimmed the log below LSN \(below)")
                let verified = after.newestVerifiedCheckpoint
                after = try await onScrubThread { self.layout(newestVerified: verified) }
            }
            let still = settle(after, healed: steps.joined(separator: ", "))
            let healedAll = still.isEmpty
            for finding in dependent where !still.contains(where: { $0.id == finding.id }) {
                logger.notice("scrub: healed", metadata: ["file": "\(finding.file)", "steps": "\(steps.joined(separator: ", "))"])
                await alerts.send(Alert(
                    name: "scrub_damage", severity: .warning,
                    message: "scrub: recovery no longer depends on damaged \(finding.kind.rawValue) \(finding.file): \(steps.joined(separator: ", ")); the damage stays quarantined until acknowledged",
                    details: ["file": finding.file, "healing": steps.joined(separator: ", ")]))
            }
            for finding in still {
                logger.critical("scrub: healing did not remove the dependency", metadata: ["file": "\(finding.file)", "why": "\(finding.healing ?? "")"])
                await alerts.send(Alert(
                    name: "scrub_heal_incomplete", severity: .critical,
                    message: "scrub: after \(steps.joined(separator: ", ")), recovery still depends on damaged \(finding.kind.rawValue) \(finding.file): \(finding.healing ?? "")",
                    details: ["file": finding.file]))
            }
            return healedAll
        } catch let error as MantisError where error.code == .cancelled {
            throw error
        } catch {
            let text = "self-healing failed after [\(steps.joined(separator: ", "))]: \(error)"
            state.withLock { state in
                for index in state.status.findings.indices where dependent.contains(where: { $0.id == state.status.findings[index].id }) {
                    state.status.findings[index].healing = text
                }
            }
            report.errors.append(text)
            logger.critical("scrub: self-healing failed", metadata: ["error": "\(error)"])
            await alerts.send(Alert(name: "scrub_heal_failed", severity: .critical,
                                    message: "scrub: \(text); recovery still depends on damaged data",
                                    details: ["files": dependent.map(\.file).joined(separator: ", ")]))
            return false
        }
    }

    /// Updates every unresolved (or freshly recorded) finding from `layout`; returns those
    /// recovery still depends on. With `healed` (what healing just did), findings that no longer
    /// depend become `healed`; without, findings that do not (or no longer) depend become
    /// `notNeeded` (e.g. log retention removed the segment).
    func settle(_ layout: RecoveryLayout, healed: String?) -> [ScrubFinding] {
        state.withLock { state in
            var dependent: [ScrubFinding] = []
            for index in state.status.findings.indices where state.status.findings[index].resolution == .unresolved {
                var finding = state.status.findings[index]
                let (depends, why) = Self.dependency(of: finding, in: layout)
                finding.recoveryDependsOnIt = depends
                if depends {
                    if let healed { finding.healing = "\(healed); still needed: \(why)" }
                    dependent.append(finding)
                } else if let healed {
                    finding.resolution = .healed
                    finding.healing = "\(healed): \(why)"
                } else {
                    finding.resolution = .notNeeded
                    finding.healing = (finding.healing.map { $0 + "; " } ?? "") + "recovery does not need it: \(why)"
                }
                state.status.findings[index] = finding
            }
            return dependent
        }
    }

    /// Whether recovery would read the damaged file, and why.
    static func dependency(of finding: ScrubFinding, in layout: RecoveryLayout) -> (Bool, String) {
        switch finding.kind {
        case .checkpoint:
            let lsn = finding.lsn ?? .zero
            if let newest = layout.newestVerifiedCheckpoint, newest >= lsn {
                return (false, "a verified checkpoint at LSN \(newest) (≥ \(lsn)) exists; recovery loads it")
            }
            return (true, "no verified checkpoint at or after LSN \(lsn): recovery would fall back to an older checkpoint or the whole log")
        case .walSegment:
            guard let index = layout.segments.firstIndex(where: { $0.path == finding.file }) else {
                return (false, "the segment is no longer part of the log")
            }
            if finding.file == layout.active || index == layout.segments.count - 1 {
                return (true, "it is the log's last segment, which opening the log reads whole")
            }
            if (finding.offset ?? 0) < Int64(WALFormat.segmentHeaderSize) {
                return (true, "its header is damaged and opening the log checks every segment header")
            }
            let lastLSN = layout.segments[index + 1].firstLSN.previous
            if let newest = layout.newestVerifiedCheckpoint, newest >= lastLSN {
                return (false, "all its records (through LSN \(lastLSN)) are covered by the verified checkpoint at LSN \(newest); replay starts in a later segment")
            }
            return (true, "replay from the newest verified checkpoint (\(layout.newestVerifiedCheckpoint.map { "LSN \($0)" } ?? "none")) reads its records (through LSN \(lastLSN))")
        }
    }

    /// The LSN to trim the log below so every damaged segment a verified checkpoint covers
    /// leaves it (with the segments before it), or nil if there is none. Never the active one.
    func trimPoint(_ layout: RecoveryLayout) -> LSN? {
        guard let newest = layout.newestVerifiedCheckpoint else { return nil }
        let damaged = state.withLock { state in
            state.status.findings.filter { $0.resolution == .unresolved && $0.kind == .walSegment }.map(\.file)
        }
        var point: LSN?
        for file in damaged {
            guard let index = layout.segments.firstIndex(where: { $0.path == file }),
                  index < layout.segments.count - 1, file != layout.active else { continue }
            let next = layout.segments[index + 1].firstLSN
            guard newest >= next.previous else { continue }
            point = max(point ?? next, next)
        }
        return point
    }

    /// The log's segments now; the newest verified checkpoint as given.
    func layout(newestVerified: LSN?) -> RecoveryLayout {
        let names = (try? fileSystem.contentsOfDirectory(dataDirectory.wal)) ?? []
        let segments = names.compactMap { name in
            WALFormat.firstLSN(ofSegmentNamed: name).map { RecoveryLayout.Segment(path: Path.join(dataDirectory.wal, name), firstLSN: $0) }
        }.sorted { $0.firstLSN < $1.firstLSN }
        let active = (liveLog?() ?? nil)?.activeSegment ?? segments.last?.path
        return RecoveryLayout(segments: segments, newestVerifiedCheckpoint: newestVerified, active: active)
    }

    /// The layout after healing: checkpoints verified newest first until one verifies.
    func layoutVerifyingNewest(_ fs: any FileSystem) throws -> RecoveryLayout {
        let catalog = CheckpointDirectory(path: dataDirectory.checkpoints, quarantinePath: dataDirectory.quarantine, fileSystem: fileSystem, logger: logger)
        var newest: LSN?
        for checkpoint in try catalog.list() {
            if case .verified(let lsn) = try verifyCheckpoint(checkpoint.path, fs: fs) {
                newest = lsn
                break
            }
        }
        return layout(newestVerified: newest)
    }
}
