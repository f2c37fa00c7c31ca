import MantisCore
import MantisCoreTesting
import Testing

@Suite struct FaultInjectingConformanceTests {
    @Test func inMemoryPassesTheFileSystemContract() throws {
        try FileSystemConformance.check(FaultInjectingFileSystem(seed: 1), scratchDirectory: "/scratch")
    }

    @Test func inMemoryWithRelativeScratchPassesTheFileSystemContract() throws {
        try FileSystemConformance.check(FaultInjectingFileSystem(seed: 2), scratchDirectory: "scratch/relative")
    }

    @Test func backedPassesTheFileSystemContract() throws {
        let directory = try TemporaryDirectory.make(prefix: "fifs-conformance")
        defer { try? TemporaryDirectory.remove(directory) }
        try FileSystemConformance.check(
            FaultInjectingFileSystem(seed: 3, backingDirectory: directory), scratchDirectory: directory)
    }

    @Test func conformanceReportsAViolation() throws {
        let broken = ShortListingFileSystem(base: FaultInjectingFileSystem(seed: 4))
        let failure = #expect(throws: FileSystemConformance.Failure.self) {
            try FileSystemConformance.check(broken, scratchDirectory: "/scratch")
        }
        #expect(failure?.check.contains("listing") == true)
        #expect(failure?.fileSystem == "fault-injecting")
    }

    @Test func pathsAreNormalizedInMemory() throws {
        let fs = FaultInjectingFileSystem(seed: 5)
        try fs.createDirectory("//db///")
        try makeDurableFile(fs, "/db/a", [1, 2])
        #expect(try fs.readFile("//db//a") == [1, 2])
        #expect(try fs.readFile("db/./a/") == [1, 2])
        #expect(try fs.contentsOfDirectory("/db/") == ["a"])
        #expect(fs.durableContents(of: "db//a") == [1, 2])
    }

    @Test func parentDirectoryMustExist() throws {
        let fs = FaultInjectingFileSystem(seed: 6)
        let error = mantisError { _ = try fs.openFile("/missing/file", options: .createNew) }
        #expect(error?.code == .notFound)
        #expect(error?.context.errno == 2)
    }
}

/// A deliberately broken file system: lists directories unsorted.
private struct ShortListingFileSystem: ForwardingFileSystem {
    let base: any FileSystem
    var name: String { base.name }
    func openFile(_ path: String, options: FileOpenOptions) throws -> any StorageFile {
        try base.openFile(path, options: options)
    }
    func contentsOfDirectory(_ path: String) throws -> [String] { try base.contentsOfDirectory(path).reversed() }
}
