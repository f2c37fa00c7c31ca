import MantisCore
import MantisCoreTesting
import RecoveryKit
import Testing

/// The writer hands blocks to a second thread for checksumming and writing: what that thread
/// writes must be exactly the sequential file, and its failures must reach the caller.
@Suite("Writer pipeline") struct WriterPipelineTests {
    static let directory = "/db/checkpoints"

    @Test("thousands of blocks written by the second thread read back in order and verify", arguments: [1, 64, 4096])
    func manyBlocks(blockSize: Int) throws {
        let fs = FaultInjectingFileSystem(seed: 81)
        let entries = makeEntries(count: 3_000, seed: 81)
        let info = try writeCheckpoint(entries, codec: rleCodec, fileSystem: fs, blockSize: blockSize)
        #expect(info.entryCount == 3_000)
        #expect(verifyError(info.path, fileSystem: fs) == nil)
        #expect(sameEntries(try readCheckpoint(info.path, fileSystem: fs), entries))
    }

    @Test("a block write failing on the second thread is reported and leaves no checkpoint, temporary or final", arguments: [2, 5, 40])
    func writeErrorOnSecondThread(failingWrite: Int) throws {
        let fs = FaultInjectingFileSystem(seed: 82)
        fs.inject(FaultRule([.write], .eio, trigger: .nth(failingWrite)))
        let writer = try CheckpointWriter(directory: Self.directory, lsn: 9, nextTransactionID: 1, codec: noneCodec,
                                          checksum: crc32, fileSystem: fs, blockSize: 64)
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

    @Test("a write error in the last blocks is thrown by finish, which removes the temporary file itself")
    func writeErrorSeenByFinish() throws {
        let fs = FaultInjectingFileSystem(seed: 83)
        // The header is write 1; each block is two writes (header, bytes): fail the last block's bytes.
        fs.inject(FaultRule([.write], .eio, trigger: .nth(3)))
        let writer = try CheckpointWriter(directory: Self.directory, lsn: 9, nextTransactionID: 1, codec: noneCodec,
                                          checksum: crc32, fileSystem: fs, blockSize: 1 << 20)
        for entry in makeEntries(count: 50, seed: 83) { try writer.append(key: entry.key, value: entry.value) }
        #expect { try writer.finish() } throws: { ($0 as? MantisError)?.code == .ioError }
        #expect(try fs.contentsOfDirectory(Self.directory).isEmpty)
    }
}
