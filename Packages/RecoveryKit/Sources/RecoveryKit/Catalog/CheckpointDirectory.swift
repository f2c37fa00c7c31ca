import Logging
import MantisCore

/// The catalog of a checkpoint directory: which checkpoints exist (by file name), removal of
/// old ones and of stale temporary files, and quarantine of bad ones.
///
/// Guarantees: every removal or move is followed by an fsync of the directories it changed, so
/// when a call returns its effect survives a crash. Listing reads names only; the
/// `CheckpointReader` verifies contents. Not safe to run `removeTemporaryFiles()` or `retain`
/// while a `CheckpointWriter` is writing into the same directory (the database runs them at open
/// and after a checkpoint finishes, from the one task that takes checkpoints).
public struct CheckpointDirectory: Sendable {
    /// The checkpoint directory (`<data dir>/checkpoints`, typically).
    public let path: String
    /// Where bad checkpoints go: `<data dir>/quarantine` unless given.
    public let quarantinePath: String
    public let fileSystem: any FileSystem
    let logger: Logger

    /// - Parameter quarantinePath: defaults to `quarantine` beside the checkpoint directory.
    public init(
        path: String,
        quarantinePath: String? = nil,
        fileSystem: any FileSystem,
        logger: Logger = Logger(label: "mantisdb.checkpoint", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.path = path
        self.quarantinePath = quarantinePath ?? Path.join(Path.directory(of: path), "quarantine")
        self.fileSystem = fileSystem
        self.logger = logger
    }

    /// The checkpoint files, newest (highest LSN) first. Temporary and other files are ignored;
    /// a missing directory has none.
    public func list() throws -> [CheckpointFile] {
        guard fileSystem.isDirectory(path) else { return [] }
        return try fileSystem.contentsOfDirectory(path).compactMap { name in
            CheckpointFormat.lsn(ofCheckpointNamed: name).map { CheckpointFile(name: name, path: Path.join(path, name), lsn: $0) }
        }.sorted { $0.lsn > $1.lsn }
    }

    /// The paths of temporary checkpoint files (`checkpoint-<hex>.ckpt.tmp`): checkpoints whose
    /// writing never finished.
    public func temporaryFiles() throws -> [String] {
        guard fileSystem.isDirectory(path) else { return [] }
        return try fileSystem.contentsOfDirectory(path)
            .filter { CheckpointFormat.lsn(ofTemporaryNamed: $0) != nil }
            .map { Path.join(path, $0) }
    }

    /// The paths of old checkpoints whose removal by `retain` a crash interrupted
    /// (`checkpoint-<hex>.ckpt.removing`).
    public func interruptedRemovals() throws -> [String] {
        guard fileSystem.isDirectory(path) else { return [] }
        return try fileSystem.contentsOfDirectory(path)
            .filter { $0.hasSuffix(Self.removingSuffix) && CheckpointFormat.lsn(ofCheckpointNamed: String($0.dropLast(Self.removingSuffix.count))) != nil }
            .map { Path.join(path, $0) }
    }

    /// Appended to an old checkpoint's name while `retain` takes it apart (`FileSystem.retire`).
    static let removingSuffix = RemovalPacing.retiredSuffix

    /// Removes every temporary checkpoint file (and what an interrupted `retain` left) and
    /// fsyncs the directory; returns their paths. Call when no writer is active (at open).
    @discardableResult
    public func removeTemporaryFiles() throws -> [String] {
        let stale = try temporaryFiles()
        let leftovers = try interruptedRemovals()
        guard !stale.isEmpty || !leftovers.isEmpty else { return [] }
        for file in stale {
            try fileSystem.removeItem(file)
            logger.notice("removed an unfinished checkpoint", metadata: ["file": "\(file)"])
        }
        for file in leftovers {
            try fileSystem.removeItem(file)
            logger.notice("removed an old checkpoint whose removal was interrupted", metadata: ["file": "\(file)"])
        }
        try fileSystem.syncDirectory(path)
        return stale + leftovers
    }

    /// Keeps the newest `count` checkpoints (by LSN in the name), removes the older ones and
    /// fsyncs the directory. Returns the removed paths, newest first. It does not verify what it
    /// keeps: call it after `CheckpointWriter.finish()` has produced a verified checkpoint.
    ///
    /// The old files are renamed to `<name>.removing` (directory fsynced: from then on they are
    /// gone for recovery), then deleted at `pacing` (`FileSystem.removeGradually`), blocking the
    /// caller meanwhile. `removeTemporaryFiles()` deletes what a crash left of them.
    /// - Throws: `invalidArgument` if `count < 1` (the newest checkpoint is never removed here).
    @discardableResult
    public func retain(newest count: Int, pacing: RemovalPacing? = .standard) throws -> [String] {
        guard count >= 1 else {
            throw MantisError(.invalidArgument, "retain(newest: \(count)): at least one checkpoint must be kept",
                              context: ErrorContext(operation: "retain checkpoints", file: path))
        }
        let doomed = try list().dropFirst(count)
        guard !doomed.isEmpty else { return [] }
        let retired = try fileSystem.retire(doomed.map(\.path), in: path)
        for (checkpoint, file) in zip(doomed, retired) {
            do {
                let hurried = try fileSystem.removeGradually(file, pacing: pacing)
                logger.log(level: hurried ? .notice : .info, hurried ? "removed an old checkpoint at once: the disk is short of space" : "removed an old checkpoint",
                           metadata: ["file": "\(checkpoint.path)", "lsn": "\(checkpoint.lsn)"])
            } catch {
                // Gone for recovery already; `removeTemporaryFiles()` at the next open deletes the rest.
                logger.error("could not delete an old checkpoint; it is deleted at the next open",
                             metadata: ["file": "\(file)", "error": "\(error)"])
            }
        }
        return doomed.map(\.path)
    }
}
