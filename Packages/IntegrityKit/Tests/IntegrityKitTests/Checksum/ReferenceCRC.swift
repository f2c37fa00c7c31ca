/// Bit-at-a-time reflected CRC-32 variants: slow, obviously correct references for the tests.
enum ReferenceCRC {
    static let crc32Polynomial: UInt32 = 0xEDB8_8320
    static let crc32cPolynomial: UInt32 = 0x82F6_3B78

    static func checksum(_ bytes: some Sequence<UInt8>, polynomial: UInt32) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ polynomial : crc >> 1 }
        }
        return ~crc
    }
}

/// Seeded random bytes.
func randomBytes(_ count: Int, using generator: inout some RandomNumberGenerator) -> [UInt8] {
    (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
}
