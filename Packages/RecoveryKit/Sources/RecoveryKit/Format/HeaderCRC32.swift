/// Table-driven CRC-32 (the zlib polynomial) for the checkpoint header and footer, which must be
/// verifiable before the checksum algorithm the header names is known (a damaged algorithm byte
/// is then reported as corruption, not as an unsupported algorithm). Only 128 bytes per file go
/// through it; block and whole-file checksums use the injected `ChecksumAlgorithm`.
enum HeaderCRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? (value >> 1) ^ 0xEDB8_8320 : value >> 1 }
        return value
    }

    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }
}
