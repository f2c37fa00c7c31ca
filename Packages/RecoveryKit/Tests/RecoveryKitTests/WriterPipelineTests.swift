import MantisCore
import MantisCoreTesting
import RecoveryKit
import Testing

/// `writesInBackground`: blocks are checksummed and written on a second thread. What it writes
/// must be exactly the sequential file, its failures must reach the caller, and a crash at any
/// moment must leave no checkpoint or a complete one.
@Suite("Writer pipeline") struct WriterPipelineTests {
    static let directory = "/db/checkpoints"

    static func write(_ entries: [Entry], codec: any CheckpointCodec = noneCodec, fileSystem: any FileSystem, blockSize: Int) throws -> CheckpointInfo {
        let writer = try CheckpointWriter(directory: directory, lsn: 42, nextTransactionID: 1, codec: codec, checksum: crc32,
                                          fileSystem: fileSystem, blockSize: blockSize, writesInBackground: true)
        for entry in entries { try writer.append(key: entry.key, value: entry.value) }
        return try writer.finish()
    }

    @Test("thousands of blocks written by the second thread give the same file as the sequential writer", arguments: [1, 64, 4096])
    func sameFile(blockSize: Int) throws {
        let entries = makeEntries(count: 3_000, seed: 81)
        let fs = FaultInjectingFileSystem(seed: 81)
        let info = try Self.write(entries, codec: rleCodec, fileSystem: fs, blockSize: blockSize)
        #expect(info.entryCount == 3_000)
        #expect(verifyError(info.path, fileSystem: fs) == nil)
        #expect(sameEntries(try readCheckpoint(info.path, fileSystem: fs), entries))

        let sequential = FaultInjectingFileSystem(seed: 81)
        let expected = try writeCheckpoint(entries, nextTransactionID: 1, codec: rleCodec, fileSystem: sequential, blockSize: blockSize, createdAt: info.createdAtNanoseconds)
        #expect(try fs.readFile(info.path) == sequential.readFile(expected.path))
    }

    @Test("a block write failing on the second thread is reported and leaves no checkpoint, temporary or final", arguments: [2, 5, 40])
    func writeErrorOnSecondThread(failingWrite: Int) throws {
        let fs = FaultInjectingFileSystem(seed: 82)
        fs.inject(FaultRule([.write], .eio, trigger: .nth(failingWrite)))
        let writer = try CheckpointWriter(directory: Self.directory, lsn: 9, nextTransactionID: 1, codec: noneCodec,
                                          checksum: crc32, fileSystem: fs, blockSize: 64, writesInBackground: true)
        var failure: MantisError?
        do {
            for entry in makeEntries(count: 500, seed: 82) { try writer.append(key: entry.key, value: entry.value) }
            try writer.finish()
        } catch let error as MantisError {
            failure = error
        }
        let error = try #require(failure)
        #expect(error.code == .ioError)
        // Failed for good: the same error again, and nothing was published.
        #expect { try writer.finish() } throws: { ($0 as? MantisError)?.message == error.message }
        writer.abandon()
        #expect(try fs.contentsOfDirectory(Self.directory).isEmpty)
    }

    @Test("a write error in the last block is thrown by finish, which removes the temporary file itself")
    func writeErrorSeenByFinish() throws {
        let fs = FaultInjectingFileSystem(seed: 83)
        // Write 1 is the file header; the only block is writes 2 (its header) and 3 (its bytes).
        fs.inject(FaultRule([.write], .eio, trigger: .nth(3)))
        let writer = try CheckpointWriter(directory: Self.directory, lsn: 9, nextTransactionID: 1, codec: noneCodec,
                                          checksum: crc32, fileSystem: fs, blockSize: 1 << 20, writesInBackground: true)
        for entry in makeEntries(count: 50, seed: 83) { try writer.append(key: entry.key, value: entry.value) }
        #expect { try writer.finish() } throws: { ($0 as? MantisError)?.code == .ioError }
        #expect(try fs.contentsOfDirectory(Self.directory).isEmpty)
    }

    @Test("halting the machine after any number of calls, appends included, leaves no checkpoint or a complete one",
          arguments: Array(UInt64(200)..<UInt64(230)))
    func haltAnywhere(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let entries = makeEntries(count: 1 + Int(random.next() % 300), seed: seed, valueLength: { _, random in Int(random.next() % 1000) })
        let blockSize = [64, 1000, 4096][Int(random.next() % 3)]
        let codec: any CheckpointCodec = random.next() % 2 == 0 ? noneCodec : rleCodec
        let mode = CrashMode.allCases[Int(random.next() % UInt64(CrashMode.allCases.count))]
        let probe = HaltingFileSystem(FaultInjectingFileSystem(seed: seed))
        try Self.write(entries, codec: codec, fileSystem: probe, blockSize: blockSize)
        let total = probe.count
        let haltAfter = Int(random.next() % UInt64(total + 1))

        let fs = FaultInjectingFileSystem(seed: seed)
        let finished = (try? Self.write(entries, codec: codec, fileSystem: HaltingFileSystem(fs, haltAfter: haltAfter), blockSize: blockSize)) != nil
        let report = fs.crash(mode)
        fs.restart()
        CrashTests.checkAfterCrash(fs, entries: entries, finished: finished,
                                   "seed \(seed) (\(entries.count) entries, block size \(blockSize), \(codec.name), \(mode)), halted after \(haltAfter) of \(total) calls: \(report)")
    }
}
