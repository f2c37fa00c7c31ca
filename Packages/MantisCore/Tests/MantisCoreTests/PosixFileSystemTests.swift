#if canImport(Glibc)
import Glibc
#endif
import MantisCore
import MantisCoreTesting
import Testing

@Suite struct PosixFileSystemTests {
    let fs = PosixFileSystem()

    func withDirectory(_ body: (String) throws -> Void) throws {
        let directory = try TemporaryDirectory.make(prefix: "posix-fs")
        defer { try? TemporaryDirectory.remove(directory) }
        try body(directory)
    }

    func mode(of path: String) -> mode_t {
        var info = stat()
        #expect(stat(path, &info) == 0)
        return info.st_mode & 0o777
    }

    @Test func passesTheFileSystemContract() throws {
        try withDirectory { try FileSystemConformance.check(fs, scratchDirectory: $0) }
    }

    @Test func errnoIsMappedToCodes() throws {
        try withDirectory { directory in
            let missing = directory + "/missing"
            let notFound = #expect(throws: MantisError.self) { _ = try fs.openFile(missing, options: .readOnly) }
            #expect(notFound?.code == .notFound)
            #expect(notFound?.context.errno == ENOENT)
            #expect(notFound?.context.file == missing)
            #expect(notFound?.context.operation == "open")

            let file = directory + "/file"
            try fs.openFile(file, options: .createNew).close()
            let exists = #expect(throws: MantisError.self) { _ = try fs.openFile(file, options: .createNew) }
            #expect(exists?.code == .alreadyExists)
            #expect(exists?.context.errno == EEXIST)

            let notDirectory = #expect(throws: MantisError.self) { _ = try fs.openFile(file + "/below", options: .createNew) }
            #expect(notDirectory?.code == .notFound)
            #expect(notDirectory?.context.errno == ENOTDIR)

            let removeMissing = #expect(throws: MantisError.self) { try fs.removeItem(missing) }
            #expect(removeMissing?.code == .notFound)

            try fs.createDirectory(directory + "/full")
            try fs.openFile(directory + "/full/x", options: .createNew).close()
            let notEmpty = #expect(throws: MantisError.self) { try fs.removeItem(directory + "/full") }
            #expect(notEmpty?.code == .ioError)
            #expect(notEmpty?.context.errno == ENOTEMPTY)
        }
    }

    @Test func filesAreCreatedWithMode0600AndDirectoriesWith0700() throws {
        try withDirectory { directory in
            let previous = umask(0o022)
            defer { umask(previous) }
            try fs.openFile(directory + "/file", options: .createNew).close()
            #expect(mode(of: directory + "/file") == 0o600)
            try fs.createDirectory(directory + "/a/b")
            #expect(mode(of: directory + "/a") == 0o700)
            #expect(mode(of: directory + "/a/b") == 0o700)
        }
    }

    @Test func syncsWorkOnRealFiles() throws {
        try withDirectory { directory in
            let file = try fs.openFile(directory + "/wal", options: .createNew)
            try file.write(Array(repeating: 7, count: 8192), at: 0)
            try file.sync()
            try file.append([1, 2, 3])
            try file.syncData()
            try file.close()
            try fs.syncDirectory(directory)
            #expect(try fs.readFile(directory + "/wal").count == 8195)
            let onFile = #expect(throws: MantisError.self) { try fs.syncDirectory(directory + "/wal") }
            #expect(onFile?.code == .notFound)
            #expect(onFile?.context.errno == ENOTDIR)
        }
    }

    @Test func preallocateReservesAndZeroLengthIsANoOp() throws {
        try withDirectory { directory in
            let file = try fs.openFile(directory + "/data", options: .createNew)
            defer { try? file.close() }
            try file.preallocate(0)
            #expect(try file.size() == 0)
            try file.preallocate(65536)
            #expect(try file.size() == 65536)
            #expect(try file.readAll().allSatisfy { $0 == 0 })
            let negative = #expect(throws: MantisError.self) { try file.preallocate(-1) }
            #expect(negative?.code == .invalidArgument)
        }
    }

    @Test func statvfsNumbersArePlausible() throws {
        try withDirectory { directory in
            let space = try fs.diskSpace(directory)
            var info = statvfs()
            #expect(statvfs(directory, &info) == 0)
            #expect(space.total == Int64(info.f_blocks) * Int64(info.f_frsize))
            #expect(space.total >= 1 << 20)
            #expect(space.available > 0)
            #expect(space.available <= space.total)
            let missing = #expect(throws: MantisError.self) { _ = try fs.diskSpace(directory + "/missing") }
            #expect(missing?.code == .notFound)
        }
    }

    @Test func aClosedHandleThrowsClosed() throws {
        try withDirectory { directory in
            let file = try fs.openFile(directory + "/f", options: .createNew)
            try file.close()
            try file.close()
            let error = #expect(throws: MantisError.self) { _ = try file.read(count: 1, at: 0) }
            #expect(error?.code == .closed)
        }
    }

    @Test func listingIsSortedAndSkipsDots() throws {
        try withDirectory { directory in
            for name in ["c", "a", "b", ".hidden"] { try fs.openFile(directory + "/" + name, options: .createNew).close() }
            #expect(try fs.contentsOfDirectory(directory) == [".hidden", "a", "b", "c"])
        }
    }
}
