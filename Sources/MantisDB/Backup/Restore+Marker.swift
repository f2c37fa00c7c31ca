import MantisCore

extension Restore {
    /// The error the open refuses `directory` with while a restore into it has not finished (its
    /// `RESTORE-IN-PROGRESS` marker is there: its files are a partial copy), or nil. Reads only;
    /// `Database.open` and `recover --dry-run` both ask here.
    public static func unfinishedRestore(in directory: String, fileSystem: any FileSystem) -> MantisError? {
        let marker = Path.join(directory, markerName)
        guard fileSystem.fileExists(marker) else { return nil }
        return MantisError(.corruption, "a restore into this data directory did not finish: its files are an incomplete copy of a backup; run the restore again with --force (mantisdb restore --from BACKUP --data-dir \(directory) --force)",
                           context: ErrorContext(operation: "open", file: marker))
    }
}
