import IntegrityKit
import MantisCore
import RecoveryKit
import WALKit

/// Damage one pass saw in one file.
struct Damage: Sendable {
    var kind: ScrubFinding.FileKind
    var file: String
    var offset: Int64?
    var code: String
    var reason: String
    var lsn: LSN?
    var wasActive: Bool
}

/// What the reading part of a pass found.
struct Examination: Sendable {
    var damages: [Damage] = []
    var transients: [Damage] = []
    /// The highest LSN among checkpoints that verified.
    var newestVerifiedCheckpoint: LSN?
    var filesChecked = 0
    var skippedInFlight = 0
    var errors: [String] = []
}

extension Scrubber {
    /// Reads and verifies every checkpoint and the whole log (on the scrubber's thread).
    func examine(_ fs: RateLimitedFileSystem, live: LiveLogPosition?) throws -> Examination {
        var exam = Examination()
        try examineCheckpoints(fs, into: &exam)
        try examineLog(fs, live: live, into: &exam)
        return exam
    }

    // MARK: Checkpoints

    enum CheckpointVerdict {
        case verified(LSN)
        case damaged(MantisError)
        /// Removed while the pass ran (retention): nothing to check.
        case vanished
    }

    func examineCheckpoints(_ fs: RateLimitedFileSystem, into exam: inout Examination) throws {
        let catalog = CheckpointDirectory(path: dataDirectory.checkpoints, quarantinePath: dataDirectory.quarantine, fileSystem: fileSystem, logger: logger)
        let checkpoints: [CheckpointFile]
        do {
            checkpoints = try catalog.list()
        } catch {
            exam.errors.append("cannot list the checkpoints: \(error)")
            return
        }
        for checkpoint in checkpoints {
            setCurrentFile(checkpoint.path)
            var verdict = try verifyCheckpoint(checkpoint.path, fs: fs)
            var confirmed = true
            if case .damaged = verdict, options.confirmDamage {
                let second = try verifyCheckpoint(checkpoint.path, fs: fs)
                switch second {
                case .damaged: break
                case .vanished: verdict = .vanished
                case .verified: confirmed = false
                }
            }
            switch verdict {
            case .vanished:
                continue
            case .verified(let lsn):
                exam.filesChecked += 1
                exam.newestVerifiedCheckpoint = max(exam.newestVerifiedCheckpoint ?? lsn, lsn)
            case .damaged(let error):
                exam.filesChecked += 1
                let damage = Damage(kind: .checkpoint, file: checkpoint.path, offset: error.context.offset, code: error.code.rawValue,
                                    reason: Self.reason(error), lsn: checkpoint.lsn, wasActive: false)
                if confirmed {
                    exam.damages.append(damage)
                } else {
                    exam.transients.append(damage)
                    exam.newestVerifiedCheckpoint = max(exam.newestVerifiedCheckpoint ?? checkpoint.lsn, checkpoint.lsn)
                }
            }
        }
        setCurrentFile(nil)
    }

    /// Opens and verifies one checkpoint, retrying transient read errors.
    func verifyCheckpoint(_ path: String, fs: any FileSystem) throws -> CheckpointVerdict {
        var attempt = 1
        while true {
            do {
                let reader = try CheckpointReader.open(path: path, fileSystem: fs, codecs: codecs, checksums: checksums)
                defer { try? reader.close() }
                return .verified(try reader.verify().lsn)
            } catch let error as MantisError {
                if error.code == .notFound && !fileSystem.fileExists(path) { return .vanished }
                if error.code == .cancelled { throw error }
                if error.code == .ioError && attempt < options.readAttempts {
                    attempt += 1
                    continue
                }
                if Self.isDamage(error) {
                    // Renamed away and being deleted (retention) while it was read: not damage.
                    return fileSystem.fileExists(path) ? .damaged(error) : .vanished
                }
                throw error
            }
        }
    }

    /// Errors that mean "these bytes are unusable": corruption of any kind, a format this build
    /// cannot read (recovery would quarantine it too), a read error that persisted.
    static func isDamage(_ error: MantisError) -> Bool {
        let classified = ErrorClassification.standard.classify(error)
        return classified.errorClass == .corruption || error.code == .unsupportedFormat || error.code == .ioError
    }

    // MARK: The log

    func examineLog(_ fs: RateLimitedFileSystem, live: LiveLogPosition?, into exam: inout Examination) throws {
        let directory = dataDirectory.wal
        guard try WALFormat.holdsSegments(directory, fileSystem: fileSystem) else { return }
        setCurrentFile(directory)
        defer { setCurrentFile(nil) }
        let first: Interpretation
        switch try verifyLog(fs) {
        case .report(let report):
            first = interpret(report, live: live)
            exam.filesChecked += report.segments.count
            exam.skippedInFlight += first.skipped
        case .unreadable(let damage):
            first = Interpretation(damages: [damage], skipped: 0)
        case .failed(let text):
            exam.errors.append(text)
            return
        }
        // A segment trimmed while it was read (renamed away, then cut short): not damage.
        let present = first.damages.filter { fileSystem.fileExists($0.file) }
        guard !present.isEmpty else { return }
        guard options.confirmDamage else {
            exam.damages += present
            return
        }
        // Read again (with a fresh durable point): damage that does not come back was a
        // transient read error.
        let again: Set<String>
        switch try verifyLog(fs) {
        case .report(let report): again = Set(interpret(report, live: liveLog?() ?? nil).damages.map(\.file))
        case .unreadable(let damage): again = [damage.file]
        case .failed(let text):
            exam.errors.append(text)
            again = Set(first.damages.map(\.file))
        }
        for damage in present {
            if again.contains(damage.file) { exam.damages.append(damage) } else { exam.transients.append(damage) }
        }
    }

    enum LogVerification {
        case report(WALVerificationReport)
        /// A segment kept failing to read (an I/O error, not a checksum).
        case unreadable(Damage)
        case failed(String)
    }

    /// `WALVerifier.verify`, read again if a segment vanished (trimmed), shrank (sealed) or
    /// failed a read while it ran.
    func verifyLog(_ fs: RateLimitedFileSystem) throws -> LogVerification {
        var attempt = 1
        while true {
            do {
                return .report(try WALVerifier.verify(directory: dataDirectory.wal, fileSystem: fs, checksums: checksums))
            } catch let error as MantisError {
                if error.code == .cancelled { throw error }
                let retryable = error.code == .notFound || error.code == .ioError
                if retryable && attempt < max(2, options.readAttempts) {
                    attempt += 1
                    continue
                }
                if error.code == .ioError, let file = error.context.file,
                   WALFormat.firstLSN(ofSegmentNamed: Path.lastComponent(of: file)) != nil, fileSystem.fileExists(file) {
                    return .unreadable(Damage(kind: .walSegment, file: file, offset: error.context.offset, code: error.code.rawValue,
                                              reason: "unreadable: \(Self.reason(error))",
                                              lsn: WALFormat.firstLSN(ofSegmentNamed: Path.lastComponent(of: file)), wasActive: false))
                }
                return .failed("cannot verify the log: \(error)")
            }
        }
    }

    struct Interpretation {
        var damages: [Damage]
        var skipped: Int
    }

    /// Which findings are damage. In every segment but the last, any finding is. In the last
    /// (the one being appended to), with a live log: damage to the header, or to a record at
    /// or below the durable LSN sampled before reading, is real; anything later may be a write
    /// in progress and is skipped. Offline: corruption is damage, a torn tail is expected.
    func interpret(_ report: WALVerificationReport, live: LiveLogPosition?) -> Interpretation {
        let files = Set(report.segments.map(\.path)).union(report.findings.map(Self.file(of:)))
        let ordered = files.sorted { Self.firstLSN($0) < Self.firstLSN($1) }
        let last = ordered.last
        var result = Interpretation(damages: [], skipped: 0)
        var seen: Set<String> = []
        for finding in report.findings {
            let file = Self.file(of: finding)
            let (offset, reason) = Self.location(of: finding)
            let scan = report.segments.first { $0.path == file }
            let isDamage: Bool
            if file == last {
                if let live {
                    if let scan, offset >= Int64(WALFormat.segmentHeaderSize) {
                        isDamage = scan.lastLSN.next <= live.durableLSN
                    } else {
                        isDamage = true
                    }
                } else {
                    isDamage = finding.isCorruption
                }
            } else {
                isDamage = true
            }
            guard isDamage else {
                result.skipped += 1
                continue
            }
            guard seen.insert(file).inserted else { continue }
            var text = reason
            if file == last, let live, let scan, !finding.isCorruption {
                text += " (records up to LSN \(live.durableLSN) were durable before the scrub read them; the last readable is LSN \(scan.lastLSN))"
            }
            result.damages.append(Damage(
                kind: .walSegment, file: file, offset: offset, code: MantisError.Code.corruption.rawValue, reason: text,
                lsn: WALFormat.firstLSN(ofSegmentNamed: Path.lastComponent(of: file)),
                wasActive: file == live?.activeSegment || (live != nil && file == last)))
        }
        return result
    }

    static func file(of finding: WALFinding) -> String {
        switch finding {
        case .tornTail(let file, _, _, _), .corruption(let file, _, _): file
        }
    }

    static func location(of finding: WALFinding) -> (Int64, String) {
        switch finding {
        case let .tornTail(_, offset, length, reason): (offset, "unreadable records (\(length) bytes): \(reason)")
        case let .corruption(_, offset, reason): (offset, reason)
        }
    }

    static func firstLSN(_ path: String) -> UInt64 {
        WALFormat.firstLSN(ofSegmentNamed: Path.lastComponent(of: path))?.rawValue ?? 0
    }

    static func reason(_ error: MantisError) -> String {
        var text = error.message
        if let cause = error.cause { text += "; caused by: \(cause)" }
        return text
    }

    func setCurrentFile(_ path: String?) {
        state.withLock { $0.currentFile = path }
    }
}
