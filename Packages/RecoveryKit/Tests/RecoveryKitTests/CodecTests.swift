import MantisCore
import MantisCoreTesting
import RecoveryKit
import Testing

@Suite("Codecs") struct CodecTests {
    @Test("the test run-length codec passes the codec conformance suite")
    func runLengthConformance() throws {
        try CheckpointCodecConformance.check(RunLengthCodec(), seed: 11)
    }

    @Test("the codec recorded in the file reads it, whatever the reader's preferred codec")
    func recordedCodecIsUsed() throws {
        let fs = FaultInjectingFileSystem(seed: 12)
        let entries = makeEntries(count: 800, seed: 12)
        let compressed = try writeCheckpoint(entries, lsn: 10, codec: rleCodec, fileSystem: fs, blockSize: 2048)
        let plain = try writeCheckpoint(entries, lsn: 20, codec: noneCodec, fileSystem: fs, blockSize: 2048)
        #expect(compressed.fileBytes < plain.fileBytes, "the run-length codec compresses the repetitive values")
        // The configuration "switched": the preferred codec comes first; each file still opens with its own.
        for codecs in [[noneCodec, rleCodec], [rleCodec, noneCodec]] as [[any CheckpointCodec]] {
            for info in [compressed, plain] {
                let reader = try CheckpointReader.open(path: info.path, fileSystem: fs, codecs: codecs, checksums: allChecksums)
                #expect(reader.info.codecName == info.codecName)
                var read: [Entry] = []
                try reader.forEach { read.append(($0, $1)) }
                #expect(sameEntries(read, entries))
            }
        }
    }

    @Test("a missing codec is unsupportedFormat naming the codec id and the codecs available")
    func missingCodec() throws {
        let fs = FaultInjectingFileSystem(seed: 13)
        let info = try writeCheckpoint(makeEntries(count: 20, seed: 13), codec: rleCodec, fileSystem: fs)
        let error = verifyError(info.path, fileSystem: fs, codecs: [NoneCheckpointCodec()])
        #expect(error?.code == .unsupportedFormat)
        #expect(error?.message.contains("codec id 200") == true, "\(String(describing: error))")
        #expect(error?.message.contains("none (0)") == true, "\(String(describing: error))")
        #expect(error?.context.file == info.path)
        #expect(error?.context.offset == 40)
        let none = verifyError(info.path, fileSystem: fs, codecs: [])
        #expect(none?.code == .unsupportedFormat && none?.message.contains("available: none") == true)
    }

    @Test("a missing checksum algorithm is unsupportedFormat naming its id")
    func missingChecksum() throws {
        let fs = FaultInjectingFileSystem(seed: 14)
        let info = try writeCheckpoint(makeEntries(count: 20, seed: 14), fileSystem: fs)
        do {
            _ = try CheckpointReader.open(path: info.path, fileSystem: fs, codecs: allCodecs, checksums: [])
            Issue.record("opened without any checksum algorithm")
        } catch let error as MantisError {
            #expect(error.code == .unsupportedFormat)
            #expect(error.message.contains("checksum algorithm id 1"))
            #expect(error.context.offset == 41 && error.context.file == info.path)
        }
    }

    @Test("a codec that fails to compress makes the writer fail, and nothing is published")
    func failingCodec() throws {
        struct Broken: CheckpointCodec {
            var name: String { "broken" }
            var identifier: UInt8 { 201 }
            func compress(_ input: UnsafeRawBufferPointer) throws -> [UInt8] { throw MantisError(.internalError, "no") }
            func decompress(_ input: UnsafeRawBufferPointer, originalSize: Int) throws -> [UInt8] { [] }
        }
        let fs = FaultInjectingFileSystem(seed: 15)
        let writer = try CheckpointWriter(directory: "/db/checkpoints", lsn: 3, nextTransactionID: 1, codec: Broken(),
                                          checksum: crc32, fileSystem: fs, blockSize: 16)
        #expect { try writer.append(key: bytes("key"), value: [UInt8](repeating: 1, count: 40)) } throws: { error in
            (error as? MantisError)?.code == .codecError
        }
        #expect { try writer.finish() } throws: { error in (error as? MantisError)?.code == .codecError }
        writer.abandon()
        #expect(try fs.contentsOfDirectory("/db/checkpoints").isEmpty)
    }
}
