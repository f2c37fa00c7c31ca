import MantisCore
import MantisCoreTesting
import Testing

@Suite struct BackingDirectoryTests {
    let posix = PosixFileSystem()

    @Test func realFilesAreLoadedMirroredAndRewrittenAfterACrash() throws {
        let directory = try TemporaryDirectory.make(prefix: "fifs-backing")
        defer { try? TemporaryDirectory.remove(directory) }
        try makeDurableFile(posix, directory + "/existing", bytes(1, 1000))
        try posix.createDirectory(directory + "/sub")
        try makeDurableFile(posix, directory + "/sub/inner", [5, 5])

        let fs = FaultInjectingFileSystem(seed: 1, backingDirectory: directory)
        #expect(fs.backingDirectory == directory)
        #expect(try fs.contentsOfDirectory(directory) == ["existing", "sub"])
        #expect(try fs.readFile(directory + "/existing") == bytes(1, 1000))
        #expect(fs.durableContents(of: directory + "/sub/inner") == [5, 5])

        // Every change reaches the real files at once.
        let file = try fs.openFile(directory + "/existing", options: .readWrite)
        try file.write(bytes(2, 100), at: 950)
        #expect(try posix.readFile(directory + "/existing") == bytes(1, 950) + bytes(2, 100))
        let fresh = try fs.openFile(directory + "/fresh", options: .createNew)
        try fresh.write([7], at: 0)
        try fresh.sync()
        try fs.rename(directory + "/sub/inner", to: directory + "/sub/moved")
        try fs.createDirectory(directory + "/made/deep")
        #expect(try posix.contentsOfDirectory(directory) == ["existing", "fresh", "made", "sub"])
        #expect(try posix.contentsOfDirectory(directory + "/sub") == ["moved"])
        try fs.corrupt(path: directory + "/existing", offset: 0, xor: 0xFF)
        #expect(try posix.readFile(directory + "/existing").first == 0xFE)

        let report = fs.crash(.dropUnsynced)
        #expect(report.backingError == nil)
        // The real directory now shows the post-crash state.
        var expected = bytes(1, 1000)
        expected[0] = 0xFE
        #expect(try posix.readFile(directory + "/existing") == expected)
        #expect(try posix.contentsOfDirectory(directory) == ["existing", "made", "sub"])
        #expect(try posix.contentsOfDirectory(directory + "/sub") == ["inner"])
        #expect(try posix.readFile(directory + "/sub/inner") == [5, 5])
        #expect(try posix.contentsOfDirectory(directory + "/made") == ["deep"])

        // A new instance on the same directory sees the crashed state as durable.
        let again = FaultInjectingFileSystem(seed: 2, backingDirectory: directory)
        #expect(again.durableContents(of: directory + "/existing") == expected)
    }

    @Test func tornCrashIsVisibleInTheRealFile() throws {
        let directory = try TemporaryDirectory.make(prefix: "fifs-torn")
        defer { try? TemporaryDirectory.remove(directory) }
        let fs = FaultInjectingFileSystem(seed: 11, backingDirectory: directory)
        try makeDurableFile(fs, directory + "/wal", bytes(0xAA, 512))
        let file = try fs.openFile(directory + "/wal", options: .readWrite)
        try file.append(bytes(0xBB, 4096))
        fs.crash(.tornPrefix)
        #expect(try posix.readFile(directory + "/wal") == (try fs.readFile(directory + "/wal")))
    }

    @Test func pathsOutsideTheDirectoryAreRefused() throws {
        let directory = try TemporaryDirectory.make(prefix: "fifs-outside")
        defer { try? TemporaryDirectory.remove(directory) }
        let fs = FaultInjectingFileSystem(seed: 3, backingDirectory: directory)
        #expect(mantisError { _ = try fs.openFile("/elsewhere-file", options: .createNew) }?.code == .invalidArgument)
        #expect(mantisError { try fs.createDirectory(directory + "-sibling") }?.code == .invalidArgument)
        #expect(mantisError { try fs.removeItem(directory) }?.code == .invalidArgument)
    }

    @Test func anUnusableBackingDirectoryFailsEveryCall() throws {
        let directory = try TemporaryDirectory.make(prefix: "fifs-unusable")
        defer { try? TemporaryDirectory.remove(directory) }
        try makeDurableFile(posix, directory + "/file", [1])
        let fs = FaultInjectingFileSystem(seed: 4, backingDirectory: directory + "/file/below")
        #expect(mantisError { _ = try fs.contentsOfDirectory(directory) }?.code == .invalidConfiguration)
        #expect(mantisError { _ = try fs.openFile(directory + "/x", options: .createNew) }?.code == .invalidConfiguration)
    }
}
