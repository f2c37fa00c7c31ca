import MantisCore

/// The real directory a `FaultInjectingFileSystem` mirrors its model to.
struct BackingDirectory: Sendable {
    /// The absolute, normalized path of the directory.
    let root: String
    let components: [String]
    let posix = PosixFileSystem()

    init(path: String) {
        var absolute = path
        if !path.hasPrefix("/"), let cwd = TestingSyscall.currentDirectory() {
            absolute = cwd + "/" + path
        }
        components = (try? FaultState.components(of: absolute, operation: "open")) ?? []
        root = FaultState.render(components)
    }

    /// True if `components` names something strictly inside the directory.
    func contains(_ other: [String]) -> Bool {
        other.count > components.count && other.starts(with: components)
    }

    /// Runs `body` on the real file at `path`, opened for writing.
    func withFile(_ path: String, _ body: (any StorageFile) throws -> Void) throws {
        let file = try posix.openFile(path, options: .readWrite)
        defer { try? file.close() }
        try body(file)
    }

    func writeWhole(_ path: String, _ bytes: [UInt8]) throws {
        let file = try posix.openFile(path, options: [.write, .create, .truncate])
        defer { try? file.close() }
        try file.write(bytes, at: 0)
    }

    func removeRecursively(_ path: String) throws {
        if try posix.fileType(path) == .directory {
            for name in try posix.contentsOfDirectory(path) {
                try removeRecursively(Path.join(path, name))
            }
        }
        try posix.removeItem(path)
    }
}
