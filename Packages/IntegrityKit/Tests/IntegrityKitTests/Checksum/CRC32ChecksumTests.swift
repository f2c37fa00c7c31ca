@testable import IntegrityKit
import MantisCore
import Testing

@Suite struct CRC32ChecksumTests {
    let crc = CRC32Checksum()

    @Test func nameAndIdentifier() {
        #expect(crc.name == "crc32")
        #expect(crc.identifier == 1)
    }

    @Test func standardCheckValue() {
        #expect(crc.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    @Test(arguments: [
        ("", 0x0000_0000),
        ("a", 0xE8B7_BE43),
        ("abc", 0x3524_41C2),
        ("The quick brown fox jumps over the lazy dog", 0x414F_A339),
    ] as [(String, UInt32)])
    func knownVectors(text: String, expected: UInt32) {
        #expect(crc.checksum(Array(text.utf8)) == expected)
    }

    @Test func thirtyTwoZeroBytes() {
        #expect(crc.checksum([UInt8](repeating: 0, count: 32)) == 0x190A_55AD)
    }

    @Test func matchesBitwiseReferenceOnRandomBuffers() {
        var generator = SplitMix64(seed: 11)
        for count in [1, 7, 8, 15, 63, 64, 65, 1000, 4099] {
            let bytes = randomBytes(count, using: &generator)
            #expect(crc.checksum(bytes) == ReferenceCRC.checksum(bytes, polynomial: ReferenceCRC.crc32Polynomial))
        }
    }

    @Test func emptyUpdateKeepsChecksum() {
        #expect(crc.update(0x1234_5678, UnsafeRawBufferPointer(start: nil, count: 0)) == 0x1234_5678)
        #expect(crc.update(0xDEAD_BEEF, []) == 0xDEAD_BEEF)
    }

    @Test func chunkingGivesTheOneShotValue() {
        var generator = SplitMix64(seed: 5)
        let bytes = randomBytes(10_000, using: &generator)
        let expected = crc.checksum(bytes)
        for chunkSize in [1, 3, 64, 4095, 9_999, 10_000] {
            let chunked = bytes.withUnsafeBytes { crc.update(0, $0, chunkSize: chunkSize) }
            #expect(chunked == expected, "chunk size \(chunkSize)")
        }
    }
}
