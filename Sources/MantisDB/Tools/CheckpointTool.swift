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
        do {
            try DataDirectoryCheck.requireExisting(dataDirectory, fileSystem: fileSystem, operation: fullVerify ? "checkpoint verify" : "checkpoint list")
        } catch {
            return WALTool.Output(text: "error: \(error)\n", exitCode: 3)
        }
        let directory = CheckpointDirectory(path: DataDirectory(dataDirectory).checkpoints, fileSystem: fileSystem)
        let files: [CheckpointFile]
        do { files = try directory.list() } catch {
            return WALTool.Output(text: "error: cannot list checkpoints: \(error)\n", exitCode: 3)
        }
        var text = "\(files.count) checkpoint(s) in \(directory.path)\n"
        if files.isEmpty { text += "none to \(fullVerify ? "verify" : "list"): this database has taken no checkpoint yet\n" }
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
