import IntegrityKit
import MantisCore
import Testing

@Suite struct CRC32CChecksumTests {
    static let implementations: [CRC32CChecksum.Implementation] = [.automatic, .software]

    @Test func nameAndIdentifier() {
        let crc = CRC32CChecksum()
        #expect(crc.name == "crc32c")
        #expect(crc.identifier == 2)
    }

    @Test(arguments: implementations)
    func standardCheckValue(implementation: CRC32CChecksum.Implementation) {
        let crc = CRC32CChecksum(implementation: implementation)
        #expect(crc.checksum(Array("123456789".utf8)) == 0xE306_9283)
    }

    @Test(arguments: implementations)
    func knownVectors(implementation: CRC32CChecksum.Implementation) {
        let crc = CRC32CChecksum(implementation: implementation)
        #expect(crc.checksum([]) == 0)
        #expect(crc.checksum(Array("a".utf8)) == 0xC1D0_4330)
        #expect(crc.checksum(Array("abc".utf8)) == 0x364B_3FB7)
        #expect(crc.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x2262_0404)
        // RFC 3720 (iSCSI) appendix B.4.
        #expect(crc.checksum([UInt8](repeating: 0x00, count: 32)) == 0x8A91_36AA)
        #expect(crc.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(crc.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(crc.checksum((0..<32).reversed().map { UInt8($0) }) == 0x113F_DB5C)
    }

    @Test(arguments: implementations)
    func matchesBitwiseReference(implementation: CRC32CChecksum.Implementation) {
        let crc = CRC32CChecksum(implementation: implementation)
        var generator = SplitMix64(seed: 12)
        // Around the 3-stream block boundaries (3 × 256 and 3 × 8192) and past them.
        for count in [1, 7, 8, 9, 767, 768, 769, 1000, 24_575, 24_576, 24_577, 50_001] {
            let bytes = randomBytes(count, using: &generator)
            #expect(crc.checksum(bytes) == ReferenceCRC.checksum(bytes, polynomial: ReferenceCRC.crc32cPolynomial), "\(count) bytes")
        }
    }

    /// Every length up to 1 KiB plus large ones, at every start offset modulo 16.
    @Test func hardwareAndSoftwareAgree() {
        let automatic = CRC32CChecksum(implementation: .automatic)
        let software = CRC32CChecksum(implementation: .software)
        var generator = SplitMix64(seed: 13)
        let buffer = randomBytes((1 << 20) + 64, using: &generator)
        buffer.withUnsafeBytes { all in
            var lengths = Array(0...1100)
            lengths += [8191, 8192, 24_575, 24_576, 24_577, 49_152 + 769, 100_000, 1 << 20]
            for length in lengths {
                for offset in length > 1100 ? [0, 1, 5, 8, 13] : Array(0..<16) {
                    let slice = UnsafeRawBufferPointer(rebasing: all[offset..<(offset + length)])
                    let seed = UInt32(truncatingIfNeeded: length &* 2_654_435_761)
                    let a = automatic.update(seed, slice)
                    let b = software.update(seed, slice)
                    if a != b {
                        Issue.record("length \(length) offset \(offset): automatic \(a), software \(b)")
                        return
                    }
                }
            }
        }
    }

    @Test func reportsHardwareAvailability() {
        // Informational: both values are valid; on x86-64 this is CPUID's SSE4.2 bit.
        _ = CRC32CChecksum.isHardwareAccelerated
    }
}
