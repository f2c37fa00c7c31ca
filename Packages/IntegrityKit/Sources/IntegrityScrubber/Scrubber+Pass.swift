import IntegrityKit
import MantisCore
import RecoveryKit
import WALKit

extension Scrubber {
    /// One pass: examine, record and quarantine, heal. See the type's documentation.
    func pass() async throws -> ScrubPassReport {
        let started = clock.now()
        let fs = RateLimitedFileSystem(base: fileSystem, bucket: bucket)
        reader.withLock { $0 = fs }
        let total = (try? await onScrubThread { self.bytesToCheck() }) ?? 0
        state.withLock { state in
            state.status.inProgress = true
            state.status.lastPassStartedAtNanoseconds = WallClock.nanosecondsSinceEpoch()
            state.status.progress = ScrubProgress(file: nil, bytesDone: 0, bytesTotal: total)
        }
        var report = ScrubPassReport()
        do {
            let live = liveLog?() ?? nil
            let exam = try await onScrubThread { try self.examine(fs, live: live) }
            report.filesChecked = exam.filesChecked
            report.skippedInFlight = exam.skippedInFlight
            report.errors = exam.errors
            report.newFindings = await record(exam, fs: fs, report: &report)
            report.healed = try await evaluateAndHeal(newestVerified: exam.newestVerifiedCheckpoint, report: &report)
            // The findings as settled by the evaluation (resolution, dependency, healing).
            let ids = Set(report.newFindings.map(\.id))
            let settled = state.withLock { $0.status.findings.filter { ids.contains($0.id) } }
            report.newFindings = report.newFindings.map { old in settled.first { $0.id == old.id } ?? old }
        } catch {
            reader.withLock { $0 = nil }
            state.withLock { state in
                state.status.inProgress = false
                state.status.progress = nil
                state.status.lastError = "\(error)"
                state.currentFile = nil
            }
            logger.error("scrub pass stopped", metadata: ["error": "\(error)"])
            throw error
        }
        report.bytesChecked = fs.bytesRead
        report.duration = clock.now() - started
        reader.withLock { $0 = nil }
        state.withLock { state in
            state.status.inProgress = false
            state.status.progress = nil
            state.status.passes += 1
            state.status.filesChecked += report.filesChecked
            state.status.bytesChecked += report.bytesChecked
            state.status.lastPass = report
            state.status.lastPassCompletedAtNanoseconds = WallClock.nanosecondsSinceEpoch()
            state.status.lastError = report.errors.isEmpty ? nil : report.errors.joined(separator: "; ")
            state.currentFile = nil
        }
        logger.info("scrub pass done", metadata: [
            "files": "\(report.filesChecked)", "bytes": "\(report.bytesChecked)", "duration": "\(report.duration)",
            "new_findings": "\(report.newFindings.count)", "skipped_in_flight": "\(report.skippedInFlight)",
        ])
        return report
    }

    /// The size of the checkpoints and segments now (for progress).
    func bytesToCheck() -> Int64 {
        var total: Int64 = 0
        for directory in [dataDirectory.checkpoints, dataDirectory.wal] {
            guard let names = try? fileSystem.contentsOfDirectory(directory) else { continue }
            for name in names where CheckpointFormat.lsn(ofCheckpointNamed: name) != nil || WALFormat.firstLSN(ofSegmentNamed: name) != nil {
                total += (try? fileSystem.fileSize(Path.join(directory, name))) ?? 0
            }
        }
        return total
    }

    /// Records new damage (quarantining it) and transient read errors; raises their alerts.
    /// Damage already recorded for a file still in place (a copied segment, or a file that could
    /// not be quarantined) is not recorded — nor alerted — again.
    func record(_ exam: Examination, fs: RateLimitedFileSystem, report: inout ScrubPassReport) async -> [ScrubFinding] {
        var recorded: [ScrubFinding] = []
        let known = state.withLock { state in
            Set(state.status.findings.filter { ($0.copied || $0.quarantinedAs == nil) && $0.resolution != .transient }.map(\.file))
        }
        for damage in exam.damages where !known.contains(damage.file) {
            var finding = makeFinding(damage, resolution: .unresolved)
            do {
                finding.quarantinedAs = try await onScrubThread { try self.quarantine(damage, fs: fs) }
                finding.copied = damage.kind == .walSegment
            } catch {
                finding.healing = "could not be quarantined: \(error)"
                report.errors.append("quarantine of \(damage.file) failed: \(error)")
            }
            recorded.append(finding)
        }
        for damage in exam.transients {
            var finding = makeFinding(damage, resolution: .transient)
            finding.healing = "a second read verified: a transient read error; nothing was moved"
            recorded.append(finding)
        }
        guard !recorded.isEmpty else { return [] }
        let numbered = state.withLock { state -> [ScrubFinding] in
            var result: [ScrubFinding] = []
            for var finding in recorded {
                finding.id = state.nextFindingID
                state.nextFindingID += 1
                result.append(finding)
            }
            state.status.findings += result
            state.status.findingsTotal += result.count
            return result
        }
        for finding in numbered {
            var details = ["file": finding.file, "kind": finding.kind.rawValue, "code": finding.code, "reason": finding.reason]
            if let offset = finding.offset { details["offset"] = String(offset) }
            if let quarantinedAs = finding.quarantinedAs { details["quarantined_as"] = quarantinedAs }
            if finding.resolution == .transient {
                logger.warning("scrub: transient read error", metadata: details.mapValues { .string($0) })
                await alerts.send(Alert(name: "scrub_read_error", severity: .warning,
                                        message: "scrub: \(finding.file) failed verification once but verified when read again (a transient read error): \(finding.reason)",
                                        details: details))
            } else {
                logger.critical("scrub found damage", metadata: details.mapValues { .string($0) })
                await alerts.send(Alert(name: "scrub_damage", severity: .critical,
                                        message: "scrub: damaged \(finding.kind.rawValue) \(finding.file)\(finding.offset.map { " at offset \($0)" } ?? ""): \(finding.reason)"
                                            + (finding.quarantinedAs.map { "; quarantined as \($0)\(finding.copied ? " (copy)" : "")" } ?? ""),
                                        details: details))
            }
        }
        return numbered
    }

    func makeFinding(_ damage: Damage, resolution: ScrubFinding.Resolution) -> ScrubFinding {
        ScrubFinding(
            id: 0, kind: damage.kind, file: damage.file, offset: damage.offset, code: damage.code, reason: damage.reason,
            lsn: damage.lsn, detectedAtNanoseconds: WallClock.nanosecondsSinceEpoch(), quarantinedAs: nil, copied: false,
            wasActiveSegment: damage.wasActive, recoveryDependsOnIt: resolution == .unresolved, resolution: resolution, healing: nil)
    }
}
