#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MantisCore

/// The conformance suite every `CheckpointCodec` must pass (run it from the codec's own tests).
///
/// What it requires:
/// - round trip: empty, tiny, small, large (several MiB), incompressible (random), mixed and
///   exactly `CheckpointCodecLimits.maximumBlockSize`-byte blocks decompress to the same bytes,
///   and compressed output grows by at most 1/16 + 1 KiB;
/// - truncation: every tried proper prefix of a compressed block throws `codecError`;
/// - corruption: flipped bytes and overwritten runs either throw `codecError` or return exactly
///   `originalSize` bytes (the codec cannot always tell; the block checksum above it will);
/// - a wrong `originalSize` (larger, smaller, zero, negative) throws `codecError`;
/// - an `originalSize` over the limit throws `resourceExhausted`, whatever the input;
/// - random garbage never crashes: it throws `codecError` or returns `originalSize` bytes.
///
/// The cases come from `SplitMix64(seed:)`, so a failure replays exactly with its seed.
public enum CheckpointCodecConformance {
    /// The first requirement a codec broke.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let codec: String
        public let check: String
        public let detail: String
        public var description: String { "codec \"\(codec)\" fails \(check): \(detail)" }
    }

    /// Runs every check on `codec`; throws a `Failure` describing the first one that fails.
    public static func check(_ codec: any CheckpointCodec, seed: UInt64 = 1) throws {
        var generator = SplitMix64(seed: seed)
        let runner = Runner(codec: codec)
        guard !codec.name.isEmpty else { throw runner.failure("naming", "the name is empty") }

        var compressedSamples: [(sample: Sample, compressed: [UInt8])] = []
        for sample in Sample.all(using: &generator) {
            compressedSamples.append((sample, try runner.roundTrip(sample)))
        }
        _ = try runner.roundTrip(Sample(name: "zeros (maximum block size)",
                                        bytes: [UInt8](repeating: 0, count: CheckpointCodecLimits.maximumBlockSize)))

        for (sample, compressed) in compressedSamples {
            try runner.checkTruncation(sample, compressed, using: &generator)
            try runner.checkCorruption(sample, compressed, using: &generator)
            try runner.checkWrongSizes(sample, compressed)
            try runner.checkOverLimitSizes(sample.name, compressed)
        }
        try runner.checkGarbage(using: &generator)
    }
}

/// A named input block.
private struct Sample {
    let name: String
    let bytes: [UInt8]

    static func all(using generator: inout SplitMix64) -> [Sample] {
        var samples = [
            Sample(name: "empty", bytes: []),
            Sample(name: "one byte", bytes: [0x4D]),
            Sample(name: "small text", bytes: Array(String(repeating: "MantisDB checkpoint block. ", count: 3).utf8)),
            Sample(name: "all byte values", bytes: (0...255).map { UInt8($0) }),
            Sample(name: "zeros (1 MiB)", bytes: [UInt8](repeating: 0, count: 1 << 20)),
            Sample(name: "records (4 MiB)", bytes: records(count: 4 << 20, using: &generator)),
            Sample(name: "random (1 MiB)", bytes: random(count: 1 << 20, using: &generator)),
        ]
        // 3 MiB of 4 KiB stretches, alternately random and repetitive.
        var mixed: [UInt8] = []
        while mixed.count < 3 << 20 {
            mixed += random(count: 4096, using: &generator)
            mixed += records(count: 4096, using: &generator)
        }
        samples.append(Sample(name: "mixed (3 MiB)", bytes: mixed))
        // Short blocks over small alphabets, down to a single repeated byte.
        for index in 0..<12 {
            let count = Int.random(in: 0..<5000, using: &generator)
            let alphabet = [1, 2, 4, 16, 256][index % 5]
            let bytes = (0..<count).map { _ in UInt8(Int.random(in: 0..<alphabet, using: &generator)) }
            samples.append(Sample(name: "short #\(index) (\(count) bytes, alphabet \(alphabet))", bytes: bytes))
        }
        return samples
    }

    static func random(count: Int, using generator: inout SplitMix64) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var word: UInt64 = 0
            for index in 0..<count {
                if index % 8 == 0 { word = generator.next() }
                buffer[index] = UInt8(truncatingIfNeeded: word >> (8 * UInt64(index % 8)))
            }
            initialized = count
        }
    }

    /// Key-value text such as a checkpoint of a small table holds.
    static func records(count: Int, using generator: inout SplitMix64) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 64)
        let words: [[UInt8]] = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"].map { Array($0.utf8) }
        var key = 0
        while bytes.count < count {
            bytes += Array("key-\(key)=".utf8)
            bytes += words[Int.random(in: 0..<words.count, using: &generator)]
            bytes += Array(";\(Int.random(in: 0..<1000, using: &generator))\n".utf8)
            key += 1
        }
        return Array(bytes.prefix(count))
    }
}

/// The individual checks, each throwing `Failure` on the first violation.
private struct Runner {
    let codec: any CheckpointCodec

    func failure(_ check: String, _ detail: String) -> CheckpointCodecConformance.Failure {
        CheckpointCodecConformance.Failure(codec: codec.name, check: check, detail: detail)
    }

    /// Compresses and decompresses `sample`, returning the compressed block.
    func roundTrip(_ sample: Sample) throws -> [UInt8] {
        let check = "round trip of \(sample.name)"
        let compressed: [UInt8]
        do {
            compressed = try sample.bytes.withUnsafeBytes { try codec.compress($0) }
        } catch {
            throw failure(check, "compress threw \(error)")
        }
        let bound = sample.bytes.count + sample.bytes.count / 16 + 1024
        guard compressed.count <= bound else {
            throw failure(check, "compressed \(sample.bytes.count) bytes to \(compressed.count), over \(bound)")
        }
        let output: [UInt8]
        do {
            output = try decompress(compressed, originalSize: sample.bytes.count)
        } catch {
            throw failure(check, "decompress threw \(error)")
        }
        guard output.count == sample.bytes.count else {
            throw failure(check, "decompressed to \(output.count) bytes, expected \(sample.bytes.count)")
        }
        if let offset = firstDifference(output, sample.bytes) {
            throw failure(check, "decompressed bytes differ from the input at offset \(offset)")
        }
        return compressed
    }

    func checkTruncation(_ sample: Sample, _ compressed: [UInt8], using generator: inout SplitMix64) throws {
        guard !compressed.isEmpty else { return }
        var lengths: Set<Int> = [0, compressed.count - 1, compressed.count / 2, min(1, compressed.count - 1)]
        for _ in 0..<8 { lengths.insert(Int.random(in: 0..<compressed.count, using: &generator)) }
        for length in lengths.sorted() {
            try expectError(
                "truncation of \(sample.name) to \(length) of \(compressed.count) bytes",
                .codecError, Array(compressed.prefix(length)), originalSize: sample.bytes.count)
        }
    }

    func checkCorruption(_ sample: Sample, _ compressed: [UInt8], using generator: inout SplitMix64) throws {
        guard !compressed.isEmpty else { return }
        let trials = compressed.count > 256 << 10 ? 8 : 48
        for trial in 0..<trials {
            var corrupt = compressed
            let position = Int.random(in: 0..<corrupt.count, using: &generator)
            let description: String
            if trial % 4 == 3 {
                // Overwrite a run of up to 16 bytes with random ones.
                let end = min(corrupt.count, position + Int.random(in: 1...16, using: &generator))
                for index in position..<end { corrupt[index] = UInt8.random(in: .min ... .max, using: &generator) }
                description = "bytes \(position)..<\(end) overwritten"
            } else {
                corrupt[position] ^= UInt8.random(in: 1 ... .max, using: &generator)
                description = "byte \(position) flipped"
            }
            try expectError(
                "corruption of \(sample.name) (\(description))", .codecError, corrupt,
                originalSize: sample.bytes.count, orLength: sample.bytes.count)
        }
    }

    func checkWrongSizes(_ sample: Sample, _ compressed: [UInt8]) throws {
        let count = sample.bytes.count
        var sizes: Set<Int> = [count + 1, count + 4096, -1, Int.min]
        if count > 0 { sizes.formUnion([0, count - 1, count / 2]) }
        if count * 2 + 1 <= CheckpointCodecLimits.maximumBlockSize { sizes.insert(count * 2 + 1) }
        for size in sizes.sorted() where size != count {
            try expectError("originalSize \(size) for \(sample.name) (\(count) bytes)", .codecError, compressed, originalSize: size)
        }
    }

    func checkOverLimitSizes(_ name: String, _ compressed: [UInt8]) throws {
        for size in [CheckpointCodecLimits.maximumBlockSize + 1, 1 << 40, Int.max] {
            try expectError("originalSize \(size) for \(name)", .resourceExhausted, compressed, originalSize: size)
        }
    }

    func checkGarbage(using generator: inout SplitMix64) throws {
        for length in [1, 2, 7, 64, 1000, 70_000] {
            let garbage = Sample.random(count: length, using: &generator)
            for size in [0, 1, length, 10_000, 1 << 20] {
                try expectError("\(length) random bytes as a block of \(size)", .codecError, garbage, originalSize: size, orLength: size)
            }
            try checkOverLimitSizes("\(length) random bytes", garbage)
        }
        try checkOverLimitSizes("an empty block", [])
    }

    /// Requires `decompress` to throw a `MantisError` with `code`, or (if `orLength` is set)
    /// to return exactly that many bytes.
    func expectError(_ check: String, _ code: MantisError.Code, _ input: [UInt8], originalSize: Int, orLength: Int? = nil) throws {
        let output: [UInt8]
        do {
            output = try decompress(input, originalSize: originalSize)
        } catch let error as MantisError {
            guard error.code == code else { throw failure(check, "threw \(error), expected code \(code)") }
            return
        } catch {
            throw failure(check, "threw \(error), not a MantisError")
        }
        if let orLength, output.count == orLength { return }
        throw failure(check, "returned \(output.count) bytes instead of throwing \(code)")
    }

    func decompress(_ input: [UInt8], originalSize: Int) throws -> [UInt8] {
        try input.withUnsafeBytes { try codec.decompress($0, originalSize: originalSize) }
    }

    /// The first offset where equally long `a` and `b` differ, or nil.
    func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> Int? {
        let equal = a.withUnsafeBytes { x in
            b.withUnsafeBytes { y in x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 }
        }
        if equal { return nil }
        return a.indices.first { a[$0] != b[$0] } ?? a.count
    }
}
