import IntegrityKit
import MantisCore
import RecoveryKit
import WALKit

/// Online backups: a fresh consistent checkpoint, the log after it, and a manifest with the
/// CRC-32 of every file. Restoring the backup recovers exactly up to the manifest's `lastLSN`.
public enum Backup {
    /// Backs up a running database into `destination` (which must be missing or empty), and
    /// records the backup (or its failure) in the database's audit trail, naming `actor`.
    public static func create(from database: Database, to destination: String, actor: String = "system") async throws -> BackupManifest {
        do {
            let manifest = try await copy(from: database, to: destination)
            await database.recordAudit("backup", actor: actor, details: [
                "to": destination, "checkpoint_lsn": String(manifest.checkpointLSN), "last_lsn": String(manifest.lastLSN),
                "files": String(manifest.files.count),
            ])
            return manifest
        } catch {
            await database.recordAudit("backup", outcome: .failure, actor: actor, details: ["to": destination, "error": "\(error)"])
            throw error
        }
    }

    private static func copy(from database: Database, to destination: String) async throws -> BackupManifest {
        let fileSystem = database.options.fileSystem
        if let problem = destinationProblem(destination, dataDirectory: database.dataDirectory.path) {
            throw MantisError(.invalidArgument, "the backup destination cannot be used: \(problem)", context: ErrorContext(operation: "backup", file: destination))
        }
        if fileSystem.fileExists(destination) {
            guard fileSystem.isDirectory(destination), try fileSystem.contentsOfDirectory(destination).isEmpty else {
                throw MantisError(.alreadyExists, "the backup destination exists and is not an empty directory", context: ErrorContext(operation: "backup", file: destination))
            }
        }
        guard let checkpointer = database.checkpointer, let wal = database.wal as? SegmentedWAL else {
            throw MantisError(.invalidArgument, "backups need a file-based log and checkpoints (not available in safe mode or with the in-memory log)")
        }
        let source = database.dataDirectory
        return try await checkpointer.checkpoint { info in
            try await database.sync()
            let target = DataDirectory(destination)
            try fileSystem.createDirectory(target.checkpoints)
            try fileSystem.createDirectory(target.wal)
            var files: [BackupManifest.File] = []
            let checkpointName = Path.lastComponent(of: info.path)
            try fileSystem.copyFile(info.path, to: Path.join(target.checkpoints, checkpointName))
            files.append(try entry("checkpoints/" + checkpointName, in: destination, fileSystem: fileSystem))
            // Every segment that may hold records after the checkpoint: the one holding LSN L+1 and all later.
            let segments = wal.segmentPaths
            let firsts = segments.map { WALFormat.firstLSN(ofSegmentNamed: Path.lastComponent(of: $0)) ?? .zero }
            let start = firsts.lastIndex { $0 <= info.lsn.next } ?? 0
            for path in segments[start...] {
                let name = Path.lastComponent(of: path)
                // The active segment only up to its last synced round, not its preallocated rest.
                try fileSystem.copyFile(path, to: Path.join(target.wal, name), limit: wal.durablePrefixLength(ofSegment: path))
                files.append(try entry("wal/" + name, in: destination, fileSystem: fileSystem))
            }
            try fileSystem.syncDirectory(target.checkpoints)
            try fileSystem.syncDirectory(target.wal)
            let verification = try WALVerifier.verify(directory: target.wal, fileSystem: fileSystem, checksums: ChecksumAlgorithms.all)
            if let damage = verification.findings.first(where: \.isCorruption) {
                throw MantisError(.corruption, "the copied log does not verify: \(damage)", context: ErrorContext(operation: "backup", file: destination))
            }
            let manifest = BackupManifest(
                createdAt: WallClock.iso8601(), source: source.path, checkpoint: "checkpoints/" + checkpointName,
                checkpointLSN: info.lsn.rawValue, lastLSN: max(info.lsn, verification.lastLSN ?? .zero).rawValue, files: files)
            try fileSystem.writeFileAtomically(Path.join(destination, BackupManifest.fileName), contents: try manifest.encoded())
            try fileSystem.syncDirectory(Path.directory(of: destination))
            return manifest
        }
    }

    static func entry(_ relative: String, in directory: String, fileSystem: any FileSystem) throws -> BackupManifest.File {
        let (bytes, crc) = try BackupManifest.checksum(of: Path.join(directory, relative), fileSystem: fileSystem)
        return BackupManifest.File(path: relative, bytes: bytes, crc32: crc)
    }
}
