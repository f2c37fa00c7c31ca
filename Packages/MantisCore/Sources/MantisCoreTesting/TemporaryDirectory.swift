import MantisCore

/// Real scratch directories for tests (under `/tmp`, or `$TMPDIR`).
public enum TemporaryDirectory {
    /// Creates a new, empty, uniquely named directory (mode 0700) and returns its absolute path.
    public static func make(prefix: String = "mantis") throws -> String {
        let base = TestingSyscall.environment("TMPDIR") ?? "/tmp"
        return try TestingSyscall.makeTemporaryDirectory(template: Path.join(base, prefix + "-XXXXXX"))
    }

    /// Removes `path` and everything under it; no error if it does not exist.
    public static func remove(_ path: String) throws {
        let fs = PosixFileSystem()
        guard let type = try fs.fileType(path) else { return }
        if type == .directory {
            for name in try fs.contentsOfDirectory(path) { try remove(Path.join(path, name)) }
        }
        try fs.removeItem(path)
    }
}
