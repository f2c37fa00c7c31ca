import IntegrityKit
import MantisCore
import ObservabilityKit
import RecoveryKit
import WALKit

/// Restores a backup into a data directory after verifying everything in it.
///
/// The target is locked (`LOCK`) for the whole restore, so a server running on it refuses and is
/// refused. `RESTORE-IN-PROGRESS` is written (durably) before the first change to the target and
/// removed only after the last file is durable: a restore cut short leaves it, and
/// `Database.open` refuses such a directory instead of opening a partial copy.
public enum Restore {
    /// The marker of a restore in progress in a data directory.
    public static let markerName = "RESTORE-IN-PROGRESS"

    /// What a restore did.
    public struct Report: Sendable {
        public var manifest: BackupManifest
        public var filesCopied: Int
        public var bytesCopied: Int64
    }

    /// Verifies the backup in `backup` (every file's size and CRC-32, the checkpoint, the log),
    /// then copies it into `dataDirectory`. Refuses a non-empty target unless `force`, in which
    /// case the target's checkpoints, log and markers are replaced. Nothing is written to the target
    /// until verification passed.
    public static func restore(
        from backup: String, to dataDirectory: String, force: Bool,
        fileSystem: any FileSystem = PosixFileSystem(),
        codecs: [any CheckpointCodec] = DatabaseOptions.allCodecs,
        checksums: [any ChecksumAlgorithm] = ChecksumAlgorithms.all
    ) throws -> Report {
        let manifestPath = Path.join(backup, BackupManifest.fileName)
        guard fileSystem.fileExists(manifestPath) else {
            throw MantisError(.notFound, "no backup manifest (\(BackupManifest.fileName)) in this directory", context: ErrorContext(operation: "restore", file: backup))
        }
        let manifest = try BackupManifest.decode(try fileSystem.readFile(manifestPath), path: manifestPath)
        for file in manifest.files {
            let path = Path.join(backup, file.path)
            guard fileSystem.fileExists(path) else {
                throw MantisError(.notFound, "a file listed in the manifest is missing", context: ErrorContext(operation: "restore", file: path))
            }
            let (bytes, crc) = try BackupManifest.checksum(of: path, fileSystem: fileSystem)
            guard bytes == file.bytes, crc == file.crc32 else {
                throw MantisError(.corruption, "backup file damaged: \(bytes) bytes with CRC-32 0x\(String(crc, radix: 16)), the manifest says \(file.bytes) bytes with 0x\(String(file.crc32, radix: 16))",
                                  context: ErrorContext(operation: "restore", file: path))
            }
        }
        var checkpointInfo: CheckpointInfo?
        if let checkpoint = manifest.checkpoint {
            let reader = try CheckpointReader.open(path: Path.join(backup, checkpoint), fileSystem: fileSystem, codecs: codecs, checksums: checksums)
            defer { try? reader.close() }
            checkpointInfo = try reader.verify()
        }
        let walDirectory = Path.join(backup, "wal")
        var log: WALVerificationReport?
        if fileSystem.isDirectory(walDirectory), !(try fileSystem.contentsOfDirectory(walDirectory).isEmpty) {
            let report = try WALVerifier.verify(directory: walDirectory, fileSystem: fileSystem, checksums: checksums)
            if let damage = report.findings.first(where: \.isCorruption) {
                throw MantisError(.corruption, "the backup's log does not verify: \(damage)", context: ErrorContext(operation: "restore", file: walDirectory))
            }
            log = report
        }
        try verifyLSNs(of: manifest, at: manifestPath, checkpoint: checkpointInfo, log: log)

        let target = DataDirectory(dataDirectory)
        try fileSystem.createDirectory(dataDirectory)
        let lock = fileSystem is PosixFileSystem ? try DataDirectoryLock(directory: dataDirectory) : nil
        defer { lock?.release() }
        let replacing = !(try fileSystem.contentsOfDirectory(dataDirectory).filter { $0 != DataDirectoryLock.fileName }.isEmpty)
        if replacing, !force {
            throw MantisError(.alreadyExists, "the target data directory is not empty; pass --force to replace its contents", context: ErrorContext(operation: "restore", file: dataDirectory))
        }
        let marker = Path.join(dataDirectory, markerName)
        try fileSystem.writeFileAtomically(marker, contents: Array("restore from \(backup) started \(WallClock.iso8601())\n".utf8))
        if replacing {
            for path in [target.wal, target.checkpoints] where fileSystem.isDirectory(path) {
                for name in try fileSystem.contentsOfDirectory(path) { try fileSystem.removeItem(Path.join(path, name)) }
                try fileSystem.syncDirectory(path)
            }
            try fileSystem.removeIfExists(target.cleanShutdownMarker)
        }
        try fileSystem.createDirectory(target.wal)
        try fileSystem.createDirectory(target.checkpoints)
        var bytes: Int64 = 0
        for file in manifest.files {
            bytes += try fileSystem.copyFile(Path.join(backup, file.path), to: Path.join(dataDirectory, file.path))
        }
        try fileSystem.syncDirectory(target.wal)
        try fileSystem.syncDirectory(target.checkpoints)
        try fileSystem.removeItem(marker)
        try fileSystem.syncDirectory(dataDirectory)
        // The target's audit trail (kept across restores) records where its data now comes from.
        FileAuditLog(directory: FileAuditLog.directory(inDataDirectory: dataDirectory), fileSystem: fileSystem)
            .recordBlocking(AuditEvent(action: "restore", actor: "cli", details: [
                "from": backup, "checkpoint_lsn": String(manifest.checkpointLSN), "last_lsn": String(manifest.lastLSN),
                "files": String(manifest.files.count), "bytes": String(bytes), "force": String(force),
                "backup_created_at": manifest.createdAt, "backup_source": manifest.source,
            ]))
        return Report(manifest: manifest, filesCopied: manifest.files.count, bytesCopied: bytes)
    }
}
