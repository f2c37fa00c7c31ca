import IntegrityKit
import MantisCore
import Testing

@Suite struct ChecksumVerifyTests {
    let bytes = Array("123456789".utf8)

    @Test func matchingChecksumPasses() throws {
        try CRC32Checksum().verify(bytes, expected: 0xCBF4_3926, context: ErrorContext())
        try CRC32CChecksum().verify(bytes, expected: 0xE306_9283, context: ErrorContext())
    }

    @Test func mismatchNamesBothValuesInHexAndTheContext() {
        let context = ErrorContext(operation: "read record", file: "wal/000001.log", offset: 4096)
        do {
            try CRC32CChecksum().verify(bytes, expected: 0x0000_00AB, context: context)
            Issue.record("verify should throw")
        } catch let error as MantisError {
            #expect(error.code == .checksumMismatch)
            #expect(error.context == context)
            #expect(error.message.contains("crc32c"))
            #expect(error.message.contains("expected 0x000000ab"))
            #expect(error.message.contains("actual 0xe3069283"))
            #expect(error.description.contains("file: wal/000001.log"))
            #expect(error.description.contains("offset: 4096"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
