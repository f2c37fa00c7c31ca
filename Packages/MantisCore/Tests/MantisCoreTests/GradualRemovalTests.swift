import MantisCore
import MantisCoreTesting
import Synchronization
import Testing

@Suite struct GradualRemovalTests {
    /// The real file system, recording every `truncate` (the length asked for).
    final class TruncationRecorder: ForwardingFileSystem {
        let base: any FileSystem = PosixFileSystem()
        let cuts = Mutex<[Int64]>([])
        /// The free space each `diskSpace` call reports, in turn (the last one repeats); empty:
        /// the real file system's.
        let freeSpace = Mutex<[Int64]>([])
        var name: String { "truncation-recorder" }
        func diskSpace(_ path: String) throws -> DiskSpace {
            guard let free = freeSpace.withLock({ $0.count > 1 ? $0.removeFirst() : $0.first }) else { return try base.diskSpace(path) }
            return DiskSpace(available: free, total: 1 << 40)
        }
        func openFile(_ path: String, options: FileOpenOptions) throws -> any StorageFile {
            File(base: try base.openFile(path, options: options), owner: self)
        }

        final class File: ForwardingStorageFile {
            let base: any StorageFile
            let owner: TruncationRecorder
            init(base: any StorageFile, owner: TruncationRecorder) {
                self.base = base
                self.owner = owner
            }
            func truncate(to size: Int64) throws {
                try base.truncate(to: size)
                owner.cuts.withLock { $0.append(size) }
            }
        }
    }

    func withFile(size: Int, _ body: (TruncationRecorder, String) throws -> Void) throws {
        let directory = try TemporaryDirectory.make(prefix: "gradual-removal")
        defer { try? TemporaryDirectory.remove(directory) }
        let fs = TruncationRecorder()
        let path = directory + "/big"
        let file = try fs.openFile(path, options: .createNew)
        try file.write([UInt8](repeating: 7, count: size), at: 0)
        try file.close()
        try body(fs, path)
    }

    @Test("a large file is cut from the end one chunk at a time, then removed")
    func cutsChunkByChunk() throws {
        try withFile(size: 10_000) { fs, path in
            try fs.removeGradually(path, pacing: RemovalPacing(chunk: 3_000, pause: .zero))
            #expect(fs.cuts.withLock { $0 } == [7_000, 4_000, 1_000])
            #expect(!fs.fileExists(path))
        }
    }

    @Test("a file of at most one chunk, or no pacing, is removed without cuts")
    func smallOrUnpaced() throws {
        try withFile(size: 3_000) { fs, path in
            try fs.removeGradually(path, pacing: RemovalPacing(chunk: 3_000, pause: .zero))
            #expect(fs.cuts.withLock { $0 }.isEmpty)
            #expect(!fs.fileExists(path))
        }
        try withFile(size: 100_000) { fs, path in
            try fs.removeGradually(path, pacing: nil)
            #expect(fs.cuts.withLock { $0 }.isEmpty)
            #expect(!fs.fileExists(path))
        }
    }

    @Test("short of space, what is left of the file is removed at once")
    func shortOfSpace() throws {
        let pacing = RemovalPacing(chunk: 1_000, pause: .zero, unpacedBelowFree: 1 << 20)
        try withFile(size: 10_000) { fs, path in
            fs.freeSpace.withLock { $0 = [1 << 19] }
            let hurried = try fs.removeGradually(path, pacing: pacing)
            #expect(hurried, "reports that it did not pace")
            #expect(fs.cuts.withLock { $0 }.isEmpty)
            #expect(!fs.fileExists(path))
        }
        // Space runs short after two cuts: the rest goes at once.
        try withFile(size: 10_000) { fs, path in
            fs.freeSpace.withLock { $0 = [1 << 30, 1 << 30, 1 << 19] }
            let hurried = try fs.removeGradually(path, pacing: pacing)
            #expect(hurried)
            #expect(fs.cuts.withLock { $0 } == [9_000, 8_000])
            #expect(!fs.fileExists(path))
        }
        // Plenty of space: paced as usual.
        try withFile(size: 10_000) { fs, path in
            fs.freeSpace.withLock { $0 = [1 << 30] }
            let hurried = try fs.removeGradually(path, pacing: pacing)
            #expect(!hurried)
            #expect(fs.cuts.withLock { $0 }.count == 9)
        }
    }

    @Test("the pause comes after each cut")
    func pauses() throws {
        try withFile(size: 4_000) { fs, path in
            let start = ContinuousClock.now
            try fs.removeGradually(path, pacing: RemovalPacing(chunk: 1_000, pause: .milliseconds(20)))
            #expect(ContinuousClock.now - start >= .milliseconds(60), "three cuts, three pauses")
        }
    }

    @Test("a missing file is an error naming it")
    func missing() throws {
        let fs = TruncationRecorder()
        let error = #expect(throws: MantisError.self) { try fs.removeGradually("/tmp/no-such-file-for-gradual-removal", pacing: .standard) }
        #expect(error?.context.file == "/tmp/no-such-file-for-gradual-removal")
    }
}
