import CLZ4
import CZlib
import Testing

/// The module maps import and link: each library answers a version call and does one tiny job.
@Suite struct SystemLibrariesTests {
    @Test func zlibLinksAndComputesCRC32() {
        #expect(zlibVersion() != nil)
        let bytes = Array("123456789".utf8)
        let crc = bytes.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
        #expect(crc == 0xCBF4_3926)
    }

    @Test func lz4LinksAndRoundTrips() {
        #expect(LZ4_versionNumber() >= 10_900)
        let input = [UInt8](repeating: 7, count: 1000)
        var compressed = [UInt8](repeating: 0, count: Int(LZ4_compressBound(Int32(input.count))))
        let compressedCount = input.withUnsafeBytes { source in
            compressed.withUnsafeMutableBytes { destination in
                LZ4_compress_default(
                    source.baseAddress!.assumingMemoryBound(to: CChar.self),
                    destination.baseAddress!.assumingMemoryBound(to: CChar.self),
                    Int32(source.count), Int32(destination.count))
            }
        }
        #expect(compressedCount > 0 && compressedCount < 100)
        var output = [UInt8](repeating: 0, count: input.count)
        let outputCount = compressed.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { destination in
                LZ4_decompress_safe(
                    source.baseAddress!.assumingMemoryBound(to: CChar.self),
                    destination.baseAddress!.assumingMemoryBound(to: CChar.self),
                    compressedCount, Int32(destination.count))
            }
        }
        #expect(Int(outputCount) == input.count)
        #expect(output == input)
    }
}
