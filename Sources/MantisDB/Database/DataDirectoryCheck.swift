import MantisCore
import RecoveryKit

/// Tells an existing MantisDB data directory from a mistyped path. The tools that work on an
/// existing database (`backup --data-dir`, `checkpoint`, `recover`) and `Database.open` with
/// `createIfMissing: false` refuse anything else through this one check, naming the path, and
/// create nothing.
///
/// A data directory is a directory holding at least one of the entries a database leaves there:
/// `wal/`, `checkpoints/`, `clean-shutdown`, `txn-epoch`, or `RESTORE-IN-PROGRESS` (an unfinished
/// restore, which the open then refuses with its own reason). `LOCK` alone does not count: the
/// name is too common, and a directory holding only it has no data.
public enum DataDirectoryCheck {
    /// The entries that mark a data directory, with whether each must be a directory.
    static func signatures(of directory: DataDirectory) -> [(path: String, isDirectory: Bool)] {
        [(directory.wal, true), (directory.checkpoints, true), (directory.cleanShutdownMarker, false),
         (Path.join(directory.path, TransactionIDEpoch.fileName), false), (Path.join(directory.path, Restore.markerName), false)]
    }

    /// Throws unless `path` is an existing data directory: `notFound` if nothing is there,
    /// `invalidArgument` if it is a file or a directory holding none of a data directory's
    /// entries (with a hint when `path` is a data directory's `wal/` or `checkpoints/`, or a file
    /// inside one). Reads only.
    public static func requireExisting(_ path: String, fileSystem: any FileSystem = PosixFileSystem(), operation: String = "open") throws {
        let context = ErrorContext(operation: operation, file: path)
        switch try fileSystem.fileType(path) {
        case nil:
            throw MantisError(.notFound, "no such data directory: \(path) does not exist (this tool works on an existing database and creates none)\(hint(for: path, fileSystem: fileSystem))",
                              context: context)
        case .directory?:
            break
        case .some:
            throw MantisError(.invalidArgument, "\(path) is a file, not a data directory\(hint(for: path, fileSystem: fileSystem))", context: context)
        }
        guard !isDataDirectory(path, fileSystem: fileSystem) else { return }
        let names = signatures(of: DataDirectory(path)).map { Path.lastComponent(of: $0.path) + ($0.isDirectory ? "/" : "") }
        throw MantisError(.invalidArgument, "\(path) is not a MantisDB data directory: it holds none of \(names.joined(separator: ", "))\(hint(for: path, fileSystem: fileSystem))",
                          context: context)
    }

    /// True if `path` is a directory holding one of a data directory's entries.
    public static func isDataDirectory(_ path: String, fileSystem: any FileSystem = PosixFileSystem()) -> Bool {
        guard fileSystem.isDirectory(path) else { return false }
        return signatures(of: DataDirectory(path)).contains { entry in
            entry.isDirectory ? fileSystem.isDirectory(entry.path) : fileSystem.fileExists(entry.path)
        }
    }

    /// " (did you mean DATA?)" when a parent of `path` within two levels is a data directory
    /// (`DATA/checkpoints`, `DATA/wal/wal-….log`), else "".
    static func hint(for path: String, fileSystem: any FileSystem) -> String {
        var candidate = path
        for _ in 0..<2 {
            let parent = Path.directory(of: candidate)
            guard parent != candidate, !parent.isEmpty else { break }
            if isDataDirectory(parent, fileSystem: fileSystem) { return " (did you mean \(parent)?)" }
            candidate = parent
        }
        return ""
    }
}
