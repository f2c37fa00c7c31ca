import LZ4Codec
import MantisCore
import MantisCoreTesting
import Testing

@Suite struct LZ4CheckpointCodecTests {
    @Test(arguments: [(1, 21), (8, 22), (65537, 23)] as [(Int, UInt64)])
    func passesTheConformanceSuite(acceleration: Int, seed: UInt64) throws {
        try CheckpointCodecConformance.check(LZ4CheckpointCodec(acceleration: acceleration), seed: seed)
    }

    @Test func nameIdentifierAndDefaultAcceleration() throws {
        let codec = try LZ4CheckpointCodec()
        #expect(codec.name == "lz4")
        #expect(codec.identifier == CheckpointCodecIdentifier.lz4)
        #expect(codec.acceleration == 1)
    }

    @Test(arguments: [0, -1, 65538, Int.min, Int.max])
    func rejectsInvalidAccelerations(acceleration: Int) {
        do {
            _ = try LZ4CheckpointCodec(acceleration: acceleration)
            Issue.record("acceleration \(acceleration) accepted")
        } catch let error as MantisError {
            #expect(error.code == .invalidConfiguration)
            #expect(error.message.contains("\(acceleration)"))
            #expect(error.message.contains("1...65537"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func accelerationTradesRatioAndEveryValueRoundTrips() throws {
        let input = records(256 << 10)
        var sizes: [Int: Int] = [:]
        for acceleration in [1, 2, 4, 16, 256, 65537] {
            let codec = try LZ4CheckpointCodec(acceleration: acceleration)
            let compressed = try input.withUnsafeBytes { try codec.compress($0) }
            let output = try compressed.withUnsafeBytes { try codec.decompress($0, originalSize: input.count) }
            #expect(output == input, "acceleration \(acceleration)")
            sizes[acceleration] = compressed.count
        }
        #expect(sizes[1]! <= sizes[65537]!)
    }

    @Test func repetitiveDataCompressesToUnderHalf() throws {
        let input = records(1 << 20)
        for acceleration in [1, 8] {
            let compressed = try input.withUnsafeBytes { try LZ4CheckpointCodec(acceleration: acceleration).compress($0) }
            #expect(Double(compressed.count) < 0.5 * Double(input.count), "acceleration \(acceleration): \(compressed.count) bytes")
        }
    }

    @Test func anyAccelerationDecodesAnyOther() throws {
        let input = records(100_000)
        let compressed = try input.withUnsafeBytes { try LZ4CheckpointCodec(acceleration: 100).compress($0) }
        let output = try compressed.withUnsafeBytes { try LZ4CheckpointCodec().decompress($0, originalSize: input.count) }
        #expect(output == input)
    }

    @Test func decodesAHandWrittenBlock() throws {
        // Token 0x50: five literals, no match (the last sequence of every block).
        let block: [UInt8] = [0x50] + Array("hello".utf8)
        let output = try block.withUnsafeBytes { try LZ4CheckpointCodec().decompress($0, originalSize: 5) }
        #expect(output == Array("hello".utf8))
    }

    @Test func rejectsAMatchThatReachesBeforeTheOutput() {
        // One literal, then a match at offset 0xFFFF: before the start of the output.
        let block: [UInt8] = [0x10, 0x41, 0xFF, 0xFF, 0x50] + Array("hello".utf8)
        do {
            _ = try block.withUnsafeBytes { try LZ4CheckpointCodec().decompress($0, originalSize: 10) }
            Issue.record("accepted an out-of-range match")
        } catch let error as MantisError {
            #expect(error.code == .codecError)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func aBlockThatExpandsPastOriginalSizeIsACodecError() throws {
        let big = try [UInt8](repeating: 0, count: 8 << 20).withUnsafeBytes { try LZ4CheckpointCodec().compress($0) }
        do {
            _ = try big.withUnsafeBytes { try LZ4CheckpointCodec().decompress($0, originalSize: 1000) }
            Issue.record("expanded past originalSize")
        } catch let error as MantisError {
            #expect(error.code == .codecError)
        }
    }

    @Test func refusesToCompressBlocksOverTheLimit() throws {
        let input = [UInt8](repeating: 1, count: CheckpointCodecLimits.maximumBlockSize + 1)
        do {
            _ = try input.withUnsafeBytes { try LZ4CheckpointCodec().compress($0) }
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
