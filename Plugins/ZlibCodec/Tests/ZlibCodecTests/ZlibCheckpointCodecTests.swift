import MantisCore
import MantisCoreTesting
import Testing
import ZlibCodec

@Suite struct ZlibCheckpointCodecTests {
    @Test(arguments: [(0, 11), (1, 12), (6, 13), (9, 14)] as [(Int, UInt64)])
    func passesTheConformanceSuite(level: Int, seed: UInt64) throws {
        try CheckpointCodecConformance.check(ZlibCheckpointCodec(level: level), seed: seed)
    }

    @Test func nameIdentifierAndDefaultLevel() throws {
        let codec = try ZlibCheckpointCodec()
        #expect(codec.name == "zlib")
        #expect(codec.identifier == CheckpointCodecIdentifier.zlib)
        #expect(codec.level == 1)
    }

    @Test(arguments: [-1, 10, 100, Int.min, Int.max])
    func rejectsInvalidLevels(level: Int) {
        do {
            _ = try ZlibCheckpointCodec(level: level)
            Issue.record("level \(level) accepted")
        } catch let error as MantisError {
            #expect(error.code == .invalidConfiguration)
            #expect(error.message.contains("\(level)"))
            #expect(error.message.contains("0...9"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func everyLevelRoundTripsAndCompresses() throws {
        let input = records(256 << 10)
        var sizes: [Int] = []
        for level in ZlibCheckpointCodec.levels {
            let codec = try ZlibCheckpointCodec(level: level)
            let compressed = try input.withUnsafeBytes { try codec.compress($0) }
            let output = try compressed.withUnsafeBytes { try codec.decompress($0, originalSize: input.count) }
            #expect(output == input, "level \(level)")
            sizes.append(compressed.count)
        }
        #expect(sizes[0] > input.count, "level 0 only stores")
        // Not monotonic: on some inputs level 9 is a little larger than level 1.
        for level in 1...9 { #expect(sizes[level] < sizes[0] / 2, "level \(level)") }
    }

    @Test func repetitiveDataCompressesToUnderHalf() throws {
        let input = records(1 << 20)
        for level in [1, 6, 9] {
            let compressed = try input.withUnsafeBytes { try ZlibCheckpointCodec(level: level).compress($0) }
            #expect(Double(compressed.count) < 0.5 * Double(input.count), "level \(level): \(compressed.count) bytes")
        }
    }

    @Test func anyLevelDecodesAnyOther() throws {
        let input = records(100_000)
        let compressed = try input.withUnsafeBytes { try ZlibCheckpointCodec(level: 9).compress($0) }
        let output = try compressed.withUnsafeBytes { try ZlibCheckpointCodec(level: 1).decompress($0, originalSize: input.count) }
        #expect(output == input)
    }

    @Test func decodesAStandardZlibStream() throws {
        // zlib.compress(b"hello") at the default level, as any zlib writes it.
        let stream: [UInt8] = [0x78, 0x9C, 0xCB, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00, 0x06, 0x2C, 0x02, 0x15]
        let output = try stream.withUnsafeBytes { try ZlibCheckpointCodec().decompress($0, originalSize: 5) }
        #expect(output == Array("hello".utf8))
    }

    @Test func rejectsAnEmptyOutputStreamOneByteTooLong() throws {
        let oneByte = try [UInt8]([42]).withUnsafeBytes { try ZlibCheckpointCodec().compress($0) }
        #expect(throws: MantisError.self) {
            try oneByte.withUnsafeBytes { try ZlibCheckpointCodec().decompress($0, originalSize: 0) }
        }
    }

    @Test func rejectsTrailingBytesAfterTheStream() throws {
        let stream: [UInt8] = [0x78, 0x9C, 0xCB, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00, 0x06, 0x2C, 0x02, 0x15, 0x00]
        #expect(throws: MantisError.self) {
            try stream.withUnsafeBytes { try ZlibCheckpointCodec().decompress($0, originalSize: 5) }
        }
    }

    @Test func aBlockThatExpandsPastOriginalSizeIsACodecError() throws {
        let bomb = try [UInt8](repeating: 0, count: 8 << 20).withUnsafeBytes { try ZlibCheckpointCodec(level: 9).compress($0) }
        #expect(bomb.count < 20_000)
        do {
            _ = try bomb.withUnsafeBytes { try ZlibCheckpointCodec().decompress($0, originalSize: 1000) }
            Issue.record("expanded past originalSize")
        } catch let error as MantisError {
            #expect(error.code == .codecError)
        }
    }

    @Test func refusesToCompressBlocksOverTheLimit() throws {
        let input = [UInt8](repeating: 1, count: CheckpointCodecLimits.maximumBlockSize + 1)
        do {
            _ = try input.withUnsafeBytes { try ZlibCheckpointCodec().compress($0) }
            Issue.record("compressed an over-limit block")
        } catch let error as MantisError {
            #expect(error.code == .resourceExhausted)
        }
    }

    /// Repetitive key-value text.
    func records(_ count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = 0
        while bytes.count < count {
            bytes += Array("key-\(index % 5000)=value-\(index % 7);".utf8)
            index += 1
        }
        return Array(bytes.prefix(count))
    }
}
