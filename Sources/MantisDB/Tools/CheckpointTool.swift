import IntegrityKit
import MantisCore
import RecoveryKit

/// `mantisdb checkpoint list|verify DIR`: read-only views of a data directory's checkpoints.
public enum CheckpointTool {
    /// Lists checkpoints newest first with LSN, keys, sizes and codec (header and footer checked).
    public static func list(dataDirectory: String, fileSystem: any FileSystem = PosixFileSystem()) -> WALTool.Output {
        inspect(dataDirectory: dataDirectory, fileSystem: fileSystem, fullVerify: false)
    }

    /// Reads every checkpoint completely, verifying every block and the whole-file checksum.
    /// Exit 0 all good, 2 if any is damaged, 3 unusable input.
    public static func verify(dataDirectory: String, fileSystem: any FileSystem = PosixFileSystem()) -> WALTool.Output {
        inspect(dataDirectory: dataDirectory, fileSystem: fileSystem, fullVerify: true)
    }

    static func inspect(dataDirectory: String, fileSystem: any FileSystem, fullVerify: Bool) -> WALTool.Output {
        guard fileSystem.isDirectory(dataDirectory) else {
            return WALTool.Output(text: "error: \(dataDirectory): no such directory\n", exitCode: 3)
        }
        let directory = CheckpointDirectory(path: DataDirectory(dataDirectory).checkpoints, fileSystem: fileSystem)
        let files: [CheckpointFile]
        do { files = try directory.list() } catch {
            return WALTool.Output(text: "error: cannot list checkpoints: \(error)\n", exitCode: 3)
        }
        var text = "\(files.count) checkpoint(s) in \(directory.path)\n"
        var damaged = 0
        for file in files {
            do {
                let reader = try CheckpointReader.open(path: file.path, fileSystem: fileSystem, codecs: DatabaseOptions.allCodecs, checksums: ChecksumAlgorithms.all)
                defer { try? reader.close() }
                let info = fullVerify ? try reader.verify() : reader.info
                let ratio = info.fileBytes > 0 ? Double(info.uncompressedBytes) / Double(info.fileBytes) : 0
                text += "\(file.name): LSN \(info.lsn), \(info.entryCount) keys, \(info.uncompressedBytes) bytes in \(info.fileBytes) (\(info.codecName), ratio \(String.fixed(ratio, digits: 2))), created \(info.createdAt)\(fullVerify ? ", verified" : "")\n"
            } catch {
                damaged += 1
                text += "\(file.name): DAMAGED: \(error)\n"
            }
        }
        return WALTool.Output(text: text, exitCode: damaged > 0 ? 2 : 0)
    }
}

/// `mantisdb recover --dry-run DIR`: the recovery plan, computed without changing anything.
public enum RecoveryTool {
    public static func dryRun(options: DatabaseOptions) -> WALTool.Output {
        let engine = RecoveryEngine(options: RecoveryOptions(
            dataDirectory: DataDirectory(options.directory), fileSystem: options.fileSystem, checksum: options.checksum,
            checksums: options.readableChecksums, codecs: options.readableCodecs, wal: options.wal))
        let plan: RecoveryPlan
        do { plan = try engine.plan() } catch {
            return WALTool.Output(text: "error: cannot analyse \(options.directory): \(error)\n", exitCode: 3)
        }
        var text = "recovery plan for \(options.directory) (dry run: nothing changed)\n"
        text += plan.cleanShutdown ? "last shutdown: clean, log should end at LSN \(plan.cleanShutdownLSN?.description ?? "?")\n" : "last shutdown: not clean (crash recovery)\n"
        for bad in plan.badCheckpoints { text += "checkpoint \(bad.path) would not be used: \(bad.reason)\n" }
        if let checkpoint = plan.checkpoint {
            text += "checkpoint: \(checkpoint.path) at LSN \(checkpoint.lsn) (\(checkpoint.entryCount) keys)\n"
        } else {
            text += "checkpoint: none; the whole log would be replayed\n"
        }
        if plan.recordsToReplay == 0 {
            text += "replay: nothing after LSN \(plan.replayFrom.previous)\n"
        } else {
            text += "replay: LSN \(plan.replayFrom)...\(plan.replayThrough), \(plan.recordsToReplay) records, \(plan.bytesToReplay) bytes, \(plan.committedTransactions) committed transactions\n"
        }
        if !plan.incompleteTransactions.isEmpty {
            text += "would drop \(plan.incompleteTransactions.count) incomplete transaction(s): \(plan.incompleteTransactions.prefix(20).map(\.description).joined(separator: ", "))\n"
        }
        for marker in plan.walMarkers { text += "log marker: \(marker)\n" }
        for finding in plan.walFindings { text += "log finding: \(finding)\n" }
        if let reason = plan.safeModeReason {
            text += "result: SAFE MODE: \(reason)\n"
            return WALTool.Output(text: text, exitCode: 2)
        }
        text += "result: would open normally\n"
        return WALTool.Output(text: text, exitCode: 0)
    }
}
