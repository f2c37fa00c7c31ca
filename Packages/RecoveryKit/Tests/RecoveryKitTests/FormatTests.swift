import MantisCore
import MantisCoreTesting
import RecoveryKit
import Testing

@Suite("Format") struct FormatTests {
    @Test("file names carry the LSN as 16 lower-case hex digits and sort in LSN order")
    func fileNames() {
        #expect(CheckpointFormat.fileName(lsn: 42) == "checkpoint-000000000000002a.ckpt")
        #expect(CheckpointFormat.temporaryFileName(lsn: 42) == "checkpoint-000000000000002a.ckpt.tmp")
        #expect(CheckpointFormat.fileName(lsn: LSN(.max)) == "checkpoint-ffffffffffffffff.ckpt")
        #expect(CheckpointFormat.lsn(ofCheckpointNamed: "checkpoint-000000000000002a.ckpt") == 42)
        #expect(CheckpointFormat.lsn(ofTemporaryNamed: "checkpoint-000000000000002a.ckpt.tmp") == 42)
        for name in ["checkpoint-000000000000002a.ckpt.tmp", "checkpoint-000000000000002A.ckpt", "checkpoint-2a.ckpt",
                     "checkpoint-000000000000002a.ckpt.1", "checkpoint-00000000000000-1.ckpt", "wal-000000000000002a.log",
                     "checkpoint-+00000000000002a.ckpt"] {
            #expect(CheckpointFormat.lsn(ofCheckpointNamed: name) == nil, "\(name)")
        }
        let lsns: [UInt64] = [0, 1, 9, 10, 255, 256, 1 << 40, .max]
        #expect(lsns.map { CheckpointFormat.fileName(lsn: LSN($0)) } == lsns.map { CheckpointFormat.fileName(lsn: LSN($0)) }.sorted())
    }

    @Test("magic numbers spell MANTISCK, MCKPTEND and CBLK in file order")
    func magic() {
        func ascii<T: FixedWidthInteger>(_ value: T) -> String {
            var bytes: [UInt8] = []
            bytes.appendLittleEndian(value)
            return String(decoding: bytes, as: UTF8.self)
        }
        #expect(ascii(CheckpointFormat.magic) == "MANTISCK")
        #expect(ascii(CheckpointFormat.footerMagic) == "MCKPTEND")
        #expect(ascii(CheckpointFormat.blockMarker) == "CBLK")
    }

    @Test("the bytes of a small file are laid out as Docs/formats.md says")
    func byteLayout() throws {
        let fs = FaultInjectingFileSystem(seed: 61)
        let info = try writeCheckpoint([(bytes("ab"), bytes("xyz"))], lsn: 0x0102_0304_0506_0708, nextTransactionID: 0x1112_1314,
                                       fileSystem: fs, blockSize: 4096, createdAt: 0x2122_2324_2526_2728)
        let file = try fs.readFile(info.path)
        #expect(file.count == 64 + 24 + 13 + 64)
        // header
        #expect(file.u64(at: 0) == CheckpointFormat.magic && file.u32(at: 8) == 1 && file.u32(at: 12) == 64)
        #expect(file.u64(at: 16) == 0x0102_0304_0506_0708 && file.u64(at: 24) == 0x1112_1314 && file.u64(at: 32) == 0x2122_2324_2526_2728)
        #expect(file[40] == 0 && file[41] == 1 && file.u32(at: 44) == 4096)
        #expect(file[42..<44].allSatisfy { $0 == 0 } && file[48..<60].allSatisfy { $0 == 0 })
        #expect(file.u32(at: 60) == crc32.checksum(Array(file[0..<60])))
        // block 0
        #expect(file.u32(at: 64) == CheckpointFormat.blockMarker && file.u32(at: 68) == 0 && file.u32(at: 72) == 1)
        #expect(file.u32(at: 76) == 13 && file.u32(at: 80) == 13)
        #expect(Array(file[88..<101]) == [2, 0, 0, 0] + bytes("ab") + [3, 0, 0, 0] + bytes("xyz"))
        #expect(file.u32(at: 84) == crc32.checksum(Array(file[64..<84]) + Array(file[88..<101])))
        // footer
        let footer = 101
        #expect(file.u64(at: footer) == CheckpointFormat.footerMagic)
        #expect(file.u64(at: footer + 8) == 1 && file.u64(at: footer + 16) == 1 && file.u64(at: footer + 24) == 13)
        #expect(file.u64(at: footer + 32) == UInt64(footer) && file.u64(at: footer + 40) == 0x0102_0304_0506_0708)
        #expect(file.u64(at: footer + 48) == 0)
        #expect(file.u32(at: footer + 56) == crc32.checksum(Array(file[0..<(footer + 56)])))
        #expect(file.u32(at: footer + 60) == crc32.checksum(Array(file[footer..<(footer + 60)])))
    }

    @Test("header encode and decode round-trip")
    func headerRoundTrip() throws {
        let header = CheckpointHeader(lsn: 77, nextTransactionID: 78, createdAtNanoseconds: 79, codecIdentifier: 2,
                                      checksumIdentifier: 2, blockSize: CheckpointFormat.maximumBlockSize)
        #expect(try CheckpointHeader.decode(header.encoded(), file: "x") == header)
        #expect(header.encoded().count == CheckpointFormat.headerSize)
    }
}
