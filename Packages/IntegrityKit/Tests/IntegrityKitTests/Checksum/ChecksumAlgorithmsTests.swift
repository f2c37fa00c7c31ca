import IntegrityKit
import MantisCore
import Testing

@Suite struct ChecksumAlgorithmsTests {
    @Test func names() {
        #expect(ChecksumAlgorithms.names == ["crc32", "crc32c"])
    }

    @Test func lookupByName() throws {
        #expect(try ChecksumAlgorithms.named("crc32") is CRC32Checksum)
        #expect(try ChecksumAlgorithms.named("crc32c") is CRC32CChecksum)
        for name in ChecksumAlgorithms.names {
            #expect(try ChecksumAlgorithms.named(name).name == name)
        }
    }

    @Test func unknownNameListsTheValidOnes() {
        do {
            _ = try ChecksumAlgorithms.named("md5")
            Issue.record("md5 should be unknown")
        } catch let error as MantisError {
            #expect(error.code == .invalidConfiguration)
            #expect(error.message.contains("\"md5\""))
            #expect(error.message.contains("crc32, crc32c"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
        #expect(throws: MantisError.self) { try ChecksumAlgorithms.named("CRC32") }
        #expect(throws: MantisError.self) { try ChecksumAlgorithms.named("") }
    }

    @Test func lookupByIdentifier() {
        #expect(ChecksumAlgorithms.identified(by: ChecksumIdentifier.crc32)?.name == "crc32")
        #expect(ChecksumAlgorithms.identified(by: ChecksumIdentifier.crc32c)?.name == "crc32c")
        for id in [0, 3, 255] as [UInt8] {
            #expect(ChecksumAlgorithms.identified(by: id) == nil)
        }
        for algorithm in ChecksumAlgorithms.all {
            #expect(ChecksumAlgorithms.identified(by: algorithm.identifier)?.name == algorithm.name)
        }
    }
}
