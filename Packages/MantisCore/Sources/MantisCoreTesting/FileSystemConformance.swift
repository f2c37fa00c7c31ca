import MantisCore

/// The contract every `FileSystem` implementation must pass (POSIX semantics as MantisDB relies
/// on them): create/open/exclusive, positional read and write, short read at end of file,
/// size/truncate/preallocate reading zeroes, rename replacing, remove, sorted listing, file types,
/// sane disk space, closed handles throwing `closed`, errors naming the path.
///
/// Run it against a scratch directory the file system can use; it works in a subdirectory
/// `fs-conformance` it removes before and after.
public enum FileSystemConformance {
    /// The first violated expectation.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The file system's `name`.
        public let fileSystem: String
        /// The check that failed, e.g. `short read at end of file`.
        public let check: String
        public let detail: String

        public var description: String {
            "FileSystem conformance of '\(fileSystem)' failed: \(check): \(detail)"
        }
    }

    /// Runs every check; throws `Failure` on the first violated expectation.
    public static func check(_ fileSystem: any FileSystem, scratchDirectory: String) throws {
        let runner = ConformanceRunner(fs: fileSystem, root: Path.join(scratchDirectory, "fs-conformance"))
        try runner.prepare()
        try runner.checkCreateAndOpen()
        try runner.checkPositionalIO()
        try runner.checkShortReads()
        try runner.checkTruncateAndPreallocate()
        try runner.checkSyncs()
        try runner.checkRename()
        try runner.checkRemove()
        try runner.checkListing()
        try runner.checkFileTypes()
        try runner.checkDirectories()
        try runner.checkDiskSpace()
        try runner.checkClosedHandles()
        try runner.checkAtomicReplace()
        try runner.cleanUp()
    }
}

/// The checks of `FileSystemConformance`, with their helpers.
struct ConformanceRunner {
    let fs: any FileSystem
    let root: String

    func path(_ name: String) -> String { Path.join(root, name) }

    func failure(_ check: String, _ detail: String) -> FileSystemConformance.Failure {
        FileSystemConformance.Failure(fileSystem: fs.name, check: check, detail: detail)
    }

    func expect(_ check: String, _ condition: Bool, _ detail: @autoclosure () -> String) throws {
        if !condition { throw failure(check, detail()) }
    }

    /// Runs `body`, reporting an unexpected error as a failure of `check`.
    func attempt<T>(_ check: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as FileSystemConformance.Failure {
            throw error
        } catch {
            throw failure(check, "unexpected error: \(error)")
        }
    }

    /// Expects `body` to throw a `MantisError` with `code` whose context names `file`.
    func expectError(_ check: String, _ code: MantisError.Code, file: String? = nil, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as MantisError {
            try expect(check, error.code == code, "expected code \(code), got \(error)")
            if let file {
                try expect(check, error.context.file == file, "the error does not name \(file): \(error)")
            }
            return
        } catch {
            throw failure(check, "expected MantisError(\(code)), got \(error)")
        }
        throw failure(check, "expected an error \(code), but the call succeeded")
    }

    func removeTree(_ path: String) throws {
        guard let type = try fs.fileType(path) else { return }
        if type == .directory {
            for name in try fs.contentsOfDirectory(path) { try removeTree(Path.join(path, name)) }
        }
        try fs.removeItem(path)
    }

    func prepare() throws {
        try attempt("prepare the scratch directory") {
            try removeTree(root)
            try fs.createDirectory(root)
        }
    }

    func cleanUp() throws {
        try attempt("remove the scratch directory") { try removeTree(root) }
    }

    /// Writes a whole new file.
    func makeFile(_ name: String, _ bytes: [UInt8]) throws {
        let file = try fs.openFile(path(name), options: [.write, .create, .truncate])
        defer { try? file.close() }
        try file.write(bytes, at: 0)
    }

    func contents(_ name: String) throws -> [UInt8] {
        try fs.readFile(path(name))
    }
}
