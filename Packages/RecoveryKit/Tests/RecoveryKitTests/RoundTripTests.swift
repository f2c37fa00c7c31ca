import MantisCore
import MantisCoreTesting
import RecoveryKit
import Testing

@Suite("Round trip") struct RoundTripTests {
    @Test("an empty checkpoint is a header and a footer, and reads back empty")
    func empty() throws {
        let fs = FaultInjectingFileSystem(seed: 1)
        let info = try writeCheckpoint([], fileSystem: fs)
        #expect(info.entryCount == 0 && info.blockCount == 0 && info.uncompressedBytes == 0)
        #expect(info.fileBytes == 128)
        #expect(try fs.fileSize(info.path) == 128)
        #expect(try readCheckpoint(info.path, fileSystem: fs).isEmpty)
        #expect(verifyError(info.path, fileSystem: fs) == nil)
    }

    @Test("one entry, and an empty key with an empty value")
    func oneEntry() throws {
        let fs = FaultInjectingFileSystem(seed: 2)
        for entries in [[(bytes("k"), bytes("v"))], [([UInt8](), [UInt8]())]] {
            let info = try writeCheckpoint(entries, lsn: LSN(UInt64(entries[0].0.count + 1)), fileSystem: fs)
            #expect(info.entryCount == 1 && info.blockCount == 1)
            #expect(sameEntries(try readCheckpoint(info.path, fileSystem: fs), entries))
        }
    }

    @Test("many entries across many blocks, both codecs, several block sizes", arguments: [1 as UInt64, 2, 3])
    func manyEntries(seed: UInt64) throws {
        let entries = makeEntries(count: 3000, seed: seed)
        for codec in allCodecs {
            for blockSize in [1, 100, 4096, 1 << 20] {
                let fs = FaultInjectingFileSystem(seed: seed)
                let info = try writeCheckpoint(entries, codec: codec, fileSystem: fs, blockSize: blockSize)
                let expectedBytes = entries.reduce(0) { $0 + 8 + $1.key.count + $1.value.count }
                #expect(info.entryCount == 3000, "seed \(seed)")
                #expect(info.uncompressedBytes == UInt64(expectedBytes), "seed \(seed)")
                #expect(info.codecName == codec.name)
                if blockSize <= 4096 { #expect(info.blockCount > 10, "seed \(seed) block size \(blockSize)") }
                if blockSize == 1 { #expect(info.blockCount == 3000, "a block size of 1 puts every entry in its own block") }
                #expect(sameEntries(try readCheckpoint(info.path, fileSystem: fs), entries), "seed \(seed) codec \(codec.name) block size \(blockSize)")
                let reader = try CheckpointReader.open(path: info.path, fileSystem: fs, codecs: allCodecs, checksums: allChecksums)
                #expect(try reader.verify() == info, "seed \(seed): verify() reports what finish() did")
                #expect(reader.info == info)
            }
        }
    }

    @Test("the header records LSN, next transaction id, codec, checksum, block size and creation time")
    func headerFields() throws {
        let fs = FaultInjectingFileSystem(seed: 4)
        let info = try writeCheckpoint(makeEntries(count: 10, seed: 4), lsn: 0x1234_5678_9ABC, nextTransactionID: 99,
                                       codec: rleCodec, fileSystem: fs, blockSize: 777, createdAt: 1_764_166_093_123_000_000)
        #expect(info.path == "/db/checkpoints/checkpoint-0000123456789abc.ckpt")
        let reader = try CheckpointReader.open(path: info.path, fileSystem: fs, codecs: allCodecs, checksums: allChecksums)
        #expect(reader.info.lsn == 0x1234_5678_9ABC)
        #expect(reader.info.nextTransactionID == 99)
        #expect(reader.info.codecIdentifier == RunLengthCodec.identifier && reader.info.codecName == "rle-test")
        #expect(reader.info.checksumIdentifier == ChecksumIdentifier.crc32 && reader.info.checksumName == "crc32")
        #expect(reader.info.blockSize == 777)
        #expect(reader.info.createdAt == "2025-11-26T14:08:13.123Z")
        #expect(reader.info == info)
    }

    @Test("values near the block size fill a block each; a block never exceeds the block size unless one entry does")
    func valuesNearBlockSize() throws {
        let blockSize = 64 << 10
        // 8 length bytes + 8 key bytes + value: exactly the block size, one byte less, one more.
        var random = SplitMix64(seed: 5)
        let lengths = [blockSize - 16, blockSize - 17, blockSize - 15, blockSize - 16, 10, blockSize - 60, 5]
        let entries: [Entry] = lengths.enumerated().map { index, length in
            (Array("key-000\(index)".utf8),
             (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        }
        #expect(entries.allSatisfy { $0.key.count == 8 })
        let fs = FaultInjectingFileSystem(seed: 5)
        let info = try writeCheckpoint(entries, fileSystem: fs, blockSize: blockSize)
        #expect(sameEntries(try readCheckpoint(info.path, fileSystem: fs), entries))
        let layout = FileLayout(try fs.readFile(info.path))
        let file = try fs.readFile(info.path)
        let uncompressed = layout.blocks.map { Int(file.u32(at: $0.start + 12)) }
        // exact fit; one short (the next entry does not fit); one over (its own block); exact fit;
        // the 26-byte entry and the next one together (18 bytes short); the last alone.
        #expect(uncompressed == [blockSize, blockSize - 1, blockSize + 1, blockSize, blockSize - 18, 21])
        #expect(info.blockCount == 6)
    }

    @Test("a value larger than the block size gets a block of its own")
    func valueLargerThanBlockSize() throws {
        let fs = FaultInjectingFileSystem(seed: 6)
        let entries: [Entry] = [(bytes("a"), bytes("small")), (bytes("b"), [UInt8](repeating: 7, count: 100_000)), (bytes("c"), bytes("after"))]
        let info = try writeCheckpoint(entries, codec: rleCodec, fileSystem: fs, blockSize: 4096)
        #expect(info.blockCount == 3)
        let file = try fs.readFile(info.path)
        let layout = FileLayout(file)
        #expect(layout.blocks.map { file.u32(at: $0.start + 8) } == [1, 1, 1], "one entry per block")
        #expect(file.u32(at: layout.blocks[1].start + 12) == 100_009)
        #expect(layout.blocks[1].storedLength < 2000, "the run-length codec compressed the large value")
        #expect(sameEntries(try readCheckpoint(info.path, fileSystem: fs), entries))
    }

    @Test("an entry of exactly the maximum block size is stored; one byte more is refused and the writer goes on")
    func maximumEntry() throws {
        let directory = try TemporaryDirectory.make(prefix: "recoverykit")
        defer { try? TemporaryDirectory.remove(directory) }
        let fs = PosixFileSystem()
        let writer = try CheckpointWriter(directory: directory, lsn: 9, nextTransactionID: 1, codec: noneCodec,
                                          checksum: crc32, fileSystem: fs, blockSize: 1 << 20)
        let limit = CheckpointFormat.maximumBlockSize
        var tooLarge = [UInt8](repeating: 0x5A, count: limit - 8 - 1 + 1)
        do {
            try writer.append(key: bytes("a"), value: tooLarge)
            Issue.record("an entry of \(limit + 1) bytes was accepted")
        } catch let error as MantisError {
            #expect(error.code == .recordTooLarge)
            #expect(error.message.contains("\(limit + 1) bytes"))
            #expect(error.context.key == bytes("a"))
        }
        tooLarge.removeLast()
        try writer.append(key: bytes("a"), value: tooLarge)
        try writer.append(key: bytes("b"), value: bytes("next"))
        let info = try writer.finish()
        #expect(info.blockCount == 2)
        #expect(info.uncompressedBytes == UInt64(limit + 8 + 1 + 4))
        let entries = try readCheckpoint(info.path, fileSystem: fs)
        #expect(entries.count == 2)
        #expect(entries.first?.value.count == limit - 9 && entries.first?.value.allSatisfy { $0 == 0x5A } == true)
    }

    @Test("forEachUnsafe sees the same entries; an error thrown by the body passes through unchanged")
    func bodyErrors() throws {
        struct Stop: Error, Equatable {}
        let fs = FaultInjectingFileSystem(seed: 7)
        let entries = makeEntries(count: 500, seed: 7)
        let info = try writeCheckpoint(entries, fileSystem: fs)
        let reader = try CheckpointReader.open(path: info.path, fileSystem: fs, codecs: allCodecs, checksums: allChecksums)
        var seen: [Entry] = []
        try reader.forEachUnsafe { key, value in seen.append((Array(key), Array(value))) }
        #expect(sameEntries(seen, entries))
        var calls = 0
        #expect(throws: Stop.self) {
            try reader.forEach { _, _ in
                calls += 1
                if calls == 123 { throw Stop() }
            }
        }
        #expect(calls == 123)
        try reader.close()
        #expect(throws: MantisError.self) { try reader.verify() }
    }
}
