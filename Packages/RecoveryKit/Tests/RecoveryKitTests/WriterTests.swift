import MantisCore
import MantisCoreTesting
import RecoveryKit
import Testing

@Suite("Writer") struct WriterTests {
    static let directory = "/db/checkpoints"

    static func writer(_ fs: any FileSystem, lsn: LSN = 42, blockSize: Int = 256) throws -> CheckpointWriter {
        try CheckpointWriter(directory: directory, lsn: lsn, nextTransactionID: 1, codec: noneCodec, checksum: crc32,
                             fileSystem: fs, blockSize: blockSize)
    }

    @Test("keys out of order or repeated are refused, within a block and across blocks; the writer goes on", arguments: [1, 4096])
    func keyOrder(blockSize: Int) throws {
        let fs = FaultInjectingFileSystem(seed: 51)
        let writer = try Self.writer(fs, blockSize: blockSize)
        try writer.append(key: bytes("b"), value: bytes("1"))
        for key in ["b", "a", "", "ab"] {
            #expect { try writer.append(key: bytes(key), value: []) } throws: { error in
                let error = error as? MantisError
                return error?.code == .invalidArgument && error?.context.key == bytes(key)
            }
        }
        try writer.append(key: bytes("ba"), value: bytes("2"))
        try writer.append(key: bytes("c"), value: bytes("3"))
        let info = try writer.finish()
        #expect(try readCheckpoint(info.path, fileSystem: fs).map(\.key) == [bytes("b"), bytes("ba"), bytes("c")])
    }

    @Test("nothing exists under the final name until finish(); then only it")
    func publishOnFinish() throws {
        let fs = FaultInjectingFileSystem(seed: 52)
        let writer = try Self.writer(fs)
        for entry in makeEntries(count: 200, seed: 52) {
            try writer.append(key: entry.key, value: entry.value)
            #expect(try fs.contentsOfDirectory(Self.directory) == [CheckpointFormat.temporaryFileName(lsn: 42)])
        }
        let info = try writer.finish()
        #expect(try fs.contentsOfDirectory(Self.directory) == [CheckpointFormat.fileName(lsn: 42)])
        let size = try fs.fileSize(info.path)
        #expect(info.path == writer.path && info.fileBytes == size)
        fs.crash(.dropUnsynced)
        #expect(verifyError(info.path, fileSystem: fs) == nil, "durable once finish() returned")
    }

    @Test("a bad block size is refused before anything is created")
    func badBlockSize() throws {
        let fs = FaultInjectingFileSystem(seed: 53)
        for size in [0, -1, CheckpointFormat.maximumBlockSize + 1] {
            #expect { try Self.writer(fs, blockSize: size) } throws: { ($0 as? MantisError)?.code == .invalidArgument }
        }
        #expect(!fs.fileExists(Self.directory))
    }

    @Test("after finish or abandon every call throws closed; abandon after finish keeps the checkpoint")
    func lifecycle() throws {
        let fs = FaultInjectingFileSystem(seed: 54)
        let finished = try Self.writer(fs, lsn: 1)
        try finished.append(key: bytes("a"), value: bytes("b"))
        let info = try finished.finish()
        #expect { try finished.finish() } throws: { ($0 as? MantisError)?.code == .closed }
        #expect { try finished.append(key: bytes("z"), value: []) } throws: { ($0 as? MantisError)?.code == .closed }
        finished.abandon()
        #expect(verifyError(info.path, fileSystem: fs) == nil)

        let abandoned = try Self.writer(fs, lsn: 2)
        try abandoned.append(key: bytes("a"), value: bytes("b"))
        #expect(fs.fileExists(abandoned.temporaryPath))
        abandoned.abandon()
        #expect(!fs.fileExists(abandoned.temporaryPath) && !fs.fileExists(abandoned.path))
        #expect { try abandoned.finish() } throws: { ($0 as? MantisError)?.code == .closed }
    }

    @Test("a writer released without finish() removes its temporary file")
    func releasedWriter() throws {
        let fs = FaultInjectingFileSystem(seed: 55)
        var temporary = ""
        do {
            let writer = try Self.writer(fs)
            try writer.append(key: bytes("a"), value: bytes("b"))
            temporary = writer.temporaryPath
            #expect(fs.fileExists(temporary))
        }
        #expect(!fs.fileExists(temporary))
        #expect(try fs.contentsOfDirectory(Self.directory).isEmpty)
    }

    @Test("a stale temporary file from a crashed writer is replaced")
    func staleTemporaryFile() throws {
        let fs = FaultInjectingFileSystem(seed: 56)
        try fs.createDirectory(Self.directory)
        try fs.writeFileAtomically(Path.join(Self.directory, CheckpointFormat.temporaryFileName(lsn: 42)),
                                   contents: [UInt8](repeating: 0xEE, count: 10_000))
        let entries = makeEntries(count: 3, seed: 56)
        let info = try writeCheckpoint(entries, fileSystem: fs)
        #expect(sameEntries(try readCheckpoint(info.path, fileSystem: fs), entries))
    }

    @Test("a write error fails the writer for good: the same error every call, and abandon removes the temporary file")
    func writeError() throws {
        let fs = FaultInjectingFileSystem(seed: 57)
        fs.inject(FaultRule([.write], .eio, trigger: .nth(4)))
        let writer = try Self.writer(fs, blockSize: 32)
        var failure: MantisError?
        for entry in makeEntries(count: 100, seed: 57) {
            do { try writer.append(key: entry.key, value: entry.value) } catch let error as MantisError {
                failure = error
                break
            }
        }
        let error = try #require(failure)
        #expect(error.code == .ioError)
        #expect { try writer.append(key: bytes("zzzzzzzzzzzzzzzzzzzzzzzzz"), value: []) } throws: { ($0 as? MantisError)?.message == error.message }
        #expect { try writer.finish() } throws: { ($0 as? MantisError)?.message == error.message }
        writer.abandon()
        #expect(try fs.contentsOfDirectory(Self.directory).isEmpty)
    }

    @Test("a full disk fails the checkpoint cleanly")
    func diskFull() throws {
        let fs = FaultInjectingFileSystem(seed: 58)
        fs.capacity = 5000
        #expect { try writeCheckpoint(makeEntries(count: 500, seed: 58), fileSystem: fs) } throws: {
            ($0 as? MantisError)?.code == .diskFull
        }
        #expect(try fs.contentsOfDirectory("/db/checkpoints").isEmpty)
    }

    @Test("a failed directory fsync after the rename: finish throws, the file under the final name is complete")
    func directorySyncFailure() throws {
        let fs = FaultInjectingFileSystem(seed: 59)
        try fs.createDirectory(Self.directory)
        fs.inject(FaultRule([.directorySync], .eio, trigger: .nth(1)))
        let entries = makeEntries(count: 30, seed: 59)
        #expect { try writeCheckpoint(entries, fileSystem: fs) } throws: { ($0 as? MantisError)?.code == .syncFailed }
        let path = Path.join(Self.directory, CheckpointFormat.fileName(lsn: 42))
        #expect(sameEntries(try readCheckpoint(path, fileSystem: fs), entries))
    }

    @Test("the writer creates a missing checkpoint directory durably")
    func createsDirectory() throws {
        let fs = FaultInjectingFileSystem(seed: 60)
        let info = try writeCheckpoint([], directory: "/data/a/checkpoints", fileSystem: fs)
        fs.crash(.dropUnsynced)
        #expect(verifyError(info.path, fileSystem: fs) == nil)
    }
}
