import MantisCore

extension CheckpointDirectory {
    /// The most `<name>.<n>` variants tried when a file of the same name is already quarantined.
    static let maximumQuarantineSuffix = 10_000

    /// Moves the bad file at `path` into the quarantine directory and writes beside it a JSON
    /// report `<name>.reason.json` (what, where, when, how detected). Returns the new path.
    ///
    /// Durability: the quarantine directory is created if missing (its parent fsynced); after
    /// the rename the quarantine directory is fsynced first (the file is durable under its new
    /// name — a crash before the next step may leave it under both names), then the source
    /// directory (the old name is gone for good); the report is written atomically (temp file,
    /// fsync, rename, directory fsync). When this returns, all of it survives a crash. A name
    /// already taken in quarantine gets a `.1`, `.2`, … suffix, so nothing is ever overwritten.
    ///
    /// - Parameter time: when, in nanoseconds since the epoch (for the report).
    /// - Throws: `notFound` if there is no regular file at `path`; the file system's errors.
    @discardableResult
    public func quarantine(path source: String, reason: QuarantineReason,
                           time: UInt64 = WallClock.nanosecondsSinceEpoch()) throws -> String {
        guard case .regular(let size)? = try fileSystem.fileType(source) else {
            throw MantisError(.notFound, "no file to quarantine", context: ErrorContext(operation: "quarantine", file: source))
        }
        if !fileSystem.isDirectory(quarantinePath) {
            try fileSystem.createDirectory(quarantinePath)
            try fileSystem.syncDirectory(Path.directory(of: quarantinePath))
        }
        let name = Path.lastComponent(of: source)
        let target = try freeName(for: name)
        try fileSystem.rename(source, to: target)
        try fileSystem.syncDirectory(quarantinePath)
        try fileSystem.syncDirectory(Path.directory(of: source))

        let report = JSONText.object([
            ("what", .string("checkpoint file")),
            ("file", .string(source)),
            ("quarantinedAs", .string(target)),
            ("fileBytes", .integer(size)),
            ("lsn", .integer(CheckpointFormat.lsn(ofCheckpointNamed: name)?.rawValue)),
            ("offset", .integer(reason.offset)),
            ("code", .string(reason.code)),
            ("reason", .string(reason.message)),
            ("detectedBy", .string(reason.detectedBy)),
            ("time", .string(WallClock.iso8601(nanosecondsSinceEpoch: time))),
        ])
        try fileSystem.writeFileAtomically(Self.reportPath(for: target), contents: Array(report.utf8))
        logger.error("checkpoint quarantined", metadata: [
            "file": "\(source)", "quarantinedAs": "\(target)", "reason": "\(reason.message)",
            "offset": "\(reason.offset.map(String.init) ?? "unknown")", "detectedBy": "\(reason.detectedBy)",
        ])
        return target
    }

    /// The report written beside a quarantined file.
    public static func reportPath(for quarantined: String) -> String {
        quarantined + ".reason.json"
    }

    /// A path in quarantine for `name` at which neither a file nor a report exists yet.
    private func freeName(for name: String) throws -> String {
        var candidate = Path.join(quarantinePath, name)
        var suffix = 0
        while fileSystem.fileExists(candidate) || fileSystem.fileExists(Self.reportPath(for: candidate)) {
            suffix += 1
            guard suffix <= Self.maximumQuarantineSuffix else {
                throw MantisError(.resourceExhausted, "\(Self.maximumQuarantineSuffix) files named \(name) are already quarantined",
                                  context: ErrorContext(operation: "quarantine", file: quarantinePath))
            }
            candidate = Path.join(quarantinePath, "\(name).\(suffix)")
        }
        return candidate
    }
}
