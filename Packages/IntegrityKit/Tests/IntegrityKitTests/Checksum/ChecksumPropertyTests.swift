import IntegrityKit
import MantisCore
import Testing

/// Properties every registered checksum algorithm must have.
@Suite struct ChecksumPropertyTests {
    static let algorithms: [any ChecksumAlgorithm] =
        [CRC32Checksum(), CRC32CChecksum(), CRC32CChecksum(implementation: .software)]

    @Test(arguments: 0..<algorithms.count)
    func incrementalEqualsOneShot(index: Int) {
        let algorithm = Self.algorithms[index]
        var generator = SplitMix64(seed: 21)
        for round in 0..<200 {
            let count = round < 100 ? Int.random(in: 0...200, using: &generator)
                                    : Int.random(in: 0...70_000, using: &generator)
            let bytes = randomBytes(count, using: &generator)
            let oneShot = algorithm.checksum(bytes)
            // Split into up to 5 random pieces (empty pieces included).
            var cuts = (0..<Int.random(in: 1...4, using: &generator)).map { _ in Int.random(in: 0...count, using: &generator) }
            cuts = [0] + cuts.sorted() + [count]
            var running: UInt32 = 0
            bytes.withUnsafeBytes { all in
                for (start, end) in zip(cuts, cuts.dropFirst()) {
                    running = algorithm.update(running, UnsafeRawBufferPointer(rebasing: all[start..<end]))
                }
            }
            #expect(running == oneShot, "\(algorithm.name) round \(round): cuts \(cuts)")
        }
    }

    @Test(arguments: 0..<algorithms.count)
    func everySingleBitFlipChangesTheChecksum(index: Int) {
        let algorithm = Self.algorithms[index]
        var generator = SplitMix64(seed: 22)
        var bytes = randomBytes(64, using: &generator)
        let original = algorithm.checksum(bytes)
        for bit in 0..<(64 * 8) {
            bytes[bit / 8] ^= 1 << UInt8(bit % 8)
            #expect(algorithm.checksum(bytes) != original, "\(algorithm.name) bit \(bit)")
            bytes[bit / 8] ^= 1 << UInt8(bit % 8)
        }
        #expect(algorithm.checksum(bytes) == original)
    }
}
