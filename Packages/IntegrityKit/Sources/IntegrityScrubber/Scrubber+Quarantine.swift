import MantisCore
import RecoveryKit

extension Scrubber {
    /// Puts damaged bytes in quarantine with a JSON report beside them (on the scrubber's
    /// thread). A checkpoint is moved (`CheckpointDirectory.quarantine`, as recovery does); a
    /// WAL segment is copied, the original left for the log. Returns the quarantined path.
    func quarantine(_ damage: Damage, fs: any FileSystem) throws -> String {
        switch damage.kind {
        case .checkpoint:
            let catalog = CheckpointDirectory(path: dataDirectory.checkpoints, quarantinePath: dataDirectory.quarantine, fileSystem: fileSystem, logger: logger)
            let reason = QuarantineReason(
                damage.reason, detectedBy: "scrub (checkpoint verification\(options.confirmDamage ? ", confirmed by a second read" : ""))",
                code: damage.code, offset: damage.offset)
            return try catalog.quarantine(path: damage.file, reason: reason)
        case .walSegment:
            return try quarantineCopy(damage, fs: fs)
        }
    }

    /// Copies a segment into quarantine (`FileSystem.copyFile`: `<name>.tmp` written and fsynced,
    /// renamed), the quarantine directory fsynced; then `<name>.reason.json` written atomically. When this
    /// returns, both survive a crash; the original is untouched.
    func quarantineCopy(_ damage: Damage, fs: any FileSystem) throws -> String {
        let directory = dataDirectory.quarantine
        if !fileSystem.isDirectory(directory) {
            try fileSystem.createDirectory(directory)
            try fileSystem.syncDirectory(Path.directory(of: directory))
        }
        let target = try freeQuarantineName(for: Path.lastComponent(of: damage.file))
        // Read through `fs` (the scrubber's rate-limited view), written and synced as any copy.
        let size = try fileSystem.copyFile(damage.file, to: target, readingFrom: fs)
        try fileSystem.syncDirectory(directory)

        let report = JSONText.object([
            ("what", .string("write-ahead log segment")),
            ("file", .string(damage.file)),
            ("quarantinedAs", .string(target)),
            ("copy", .boolean(true)),
            ("originalLeftInPlace", .boolean(true)),
            ("activeSegment", .boolean(damage.wasActive)),
            ("fileBytes", .integer(size)),
            ("firstLSN", .integer(damage.lsn.map { Int64(bitPattern: $0.rawValue) })),
            ("offset", .integer(damage.offset)),
            ("code", .string(damage.code)),
            ("reason", .string(damage.reason)),
            ("detectedBy", .string("scrub (WAL verification\(options.confirmDamage ? ", confirmed by a second read" : ""))")),
            ("time", .string(WallClock.iso8601())),
            ("note", .string("the segment stays in the log until a checkpoint covers it and the log is trimmed; recovery still reads it until then")),
        ])
        try fileSystem.writeFileAtomically(target + ".reason.json", contents: Array(report.utf8))
        logger.error("write-ahead log segment copied to quarantine", metadata: [
            "file": "\(damage.file)", "quarantinedAs": "\(target)", "offset": "\(damage.offset.map(String.init) ?? "unknown")",
            "reason": "\(damage.reason)",
        ])
        return target
    }

    /// A quarantine path for `name` at which neither a file, a report nor a temporary exists.
    func freeQuarantineName(for name: String) throws -> String {
        var candidate = Path.join(dataDirectory.quarantine, name)
        var suffix = 0
        while fileSystem.fileExists(candidate) || fileSystem.fileExists(candidate + ".reason.json") {
            suffix += 1
            guard suffix <= 10_000 else {
                throw MantisError(.resourceExhausted, "10000 files named \(name) are already quarantined",
                                  context: ErrorContext(operation: "quarantine", file: dataDirectory.quarantine))
            }
            candidate = Path.join(dataDirectory.quarantine, "\(name).\(suffix)")
        }
        return candidate
    }
}
