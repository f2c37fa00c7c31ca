extension FileSystem {
    public func fileExists(_ path: String) -> Bool {
        (try? fileType(path)) != nil
    }

    public func isDirectory(_ path: String) -> Bool {
        (try? fileType(path)) == .directory
    }

    /// The size of the regular file at `path`.
    public func fileSize(_ path: String) throws -> Int64 {
        guard case .regular(let size)? = try fileType(path) else {
            throw MantisError(.notFound, "no regular file", context: ErrorContext(file: path))
        }
        return size
    }

    /// The whole content of the file at `path`.
    public func readFile(_ path: String) throws -> [UInt8] {
        let file = try openFile(path, options: .readOnly)
        defer { try? file.close() }
        return try file.readAll()
    }

    /// Replaces the file at `path` atomically and durably (DESIGN.md rule 3): writes
    /// `path.tmp`, fsyncs it, renames it over `path`, fsyncs the directory.
    /// When this returns, a crash leaves either nothing new or the whole new content.
    public func writeFileAtomically(_ path: String, contents: [UInt8]) throws {
        try writeFileAtomically(path) { file in try file.write(contents, at: 0) }
    }

    /// As `writeFileAtomically(_:contents:)`, with the content written by `fill` into the new
    /// file (in pieces, so a large content need not be in memory at once).
    public func writeFileAtomically(_ path: String, fill: (any StorageFile) throws -> Void) throws {
        try writeThroughTemporary(path, fill)
        try syncDirectory(Path.directory(of: path))
    }

    /// Writes `path` by way of `<path>.tmp` (a stale one is replaced): `fill` writes the new
    /// file, which is then fsynced, closed and renamed over `path`. On an error the temporary
    /// file is removed and `path` is untouched. The caller fsyncs the directory.
    func writeThroughTemporary<Result>(_ path: String, _ fill: (any StorageFile) throws -> Result) throws -> Result {
        let temporary = path + ".tmp"
        try removeIfExists(temporary)
        let file = try openFile(temporary, options: .createNew)
        let result: Result
        do {
            result = try fill(file)
            try file.sync()
            try file.close()
        } catch {
            try? file.close()
            try? removeItem(temporary)
            throw error
        }
        try rename(temporary, to: path)
        return result
    }

    /// Removes `path` if it exists; no error if it does not.
    public func removeIfExists(_ path: String) throws {
        if fileExists(path) { try removeItem(path) }
    }
}
