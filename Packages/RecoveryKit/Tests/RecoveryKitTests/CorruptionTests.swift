import MantisCore
import MantisCoreTesting
import RecoveryKit
import Testing

@Suite("Corruption") struct CorruptionTests {
    static let path = "/db/checkpoints/checkpoint-000000000000002a.ckpt"

    /// A small many-block checkpoint in a fresh in-memory file system.
    static func sample(seed: UInt64, codec: any CheckpointCodec = noneCodec, count: Int = 40, blockSize: Int = 128)
        throws -> (fs: FaultInjectingFileSystem, file: [UInt8], entries: [Entry]) {
        let fs = FaultInjectingFileSystem(seed: seed)
        let entries = makeEntries(count: count, seed: seed, valueLength: { _, random in Int(random.next() % 20) })
        let info = try writeCheckpoint(entries, lsn: 42, codec: codec, fileSystem: fs, blockSize: blockSize)
        #expect(info.path == path)
        return (fs, try fs.readFile(path), entries)
    }

    /// Expects `error` to be corruption of `path` at an offset inside `range`.
    static func expectCorruption(_ error: MantisError?, in range: Range<Int>, _ what: String,
                                 code: MantisError.Code = .corruption, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let error else {
            Issue.record("\(what): not detected", sourceLocation: sourceLocation)
            return
        }
        #expect(error.code == code, "\(what): \(error)", sourceLocation: sourceLocation)
        #expect(error.context.file == path, "\(what): \(error)", sourceLocation: sourceLocation)
        let offset = error.context.offset.map(Int.init) ?? -1
        #expect(range.contains(offset), "\(what): offset \(offset) is outside \(range): \(error)", sourceLocation: sourceLocation)
    }

    @Test("every single-byte corruption anywhere in a small file is caught, naming the file and the damaged structure",
          arguments: [1 as UInt64, 2])
    func everyByte(seed: UInt64) throws {
        let (fs, file, _) = try Self.sample(seed: seed)
        let layout = FileLayout(file)
        #expect(layout.blocks.count > 5)
        var random = SplitMix64(seed: seed)
        for offset in 0..<file.count {
            let structure = layout.structure(at: offset)
            for mask in [0x01, 0x80, UInt8(truncatingIfNeeded: random.next() | 1)] as [UInt8] {
                try fs.corrupt(path: Self.path, offset: Int64(offset), xor: mask)
                Self.expectCorruption(verifyError(Self.path, fileSystem: fs), in: structure.range,
                                      "seed \(seed): byte \(offset) (\(structure.name)) xor \(mask)")
                try fs.corrupt(path: Self.path, offset: Int64(offset), xor: mask)
            }
        }
        #expect(verifyError(Self.path, fileSystem: fs) == nil)
    }

    @Test("single-byte corruption at a seeded sample of offsets in a compressed many-block file", arguments: [3 as UInt64, 4])
    func sampledOffsets(seed: UInt64) throws {
        let (fs, file, _) = try Self.sample(seed: seed, codec: rleCodec, count: 2000, blockSize: 1024)
        let layout = FileLayout(file)
        var random = SplitMix64(seed: seed)
        for _ in 0..<400 {
            let offset = Int(random.next() % UInt64(file.count))
            let mask = UInt8(truncatingIfNeeded: random.next() % 255 + 1)
            let structure = layout.structure(at: offset)
            try fs.corrupt(path: Self.path, offset: Int64(offset), xor: mask)
            Self.expectCorruption(verifyError(Self.path, fileSystem: fs), in: structure.range,
                                  "seed \(seed): byte \(offset) (\(structure.name)) xor \(mask)")
            try fs.corrupt(path: Self.path, offset: Int64(offset), xor: mask)
        }
    }

    /// One field damaged, with every checksum recomputed afterwards, so the field's own check must catch it.
    struct FieldCase: CustomStringConvertible, Sendable {
        var description: String
        var code: MantisError.Code = .corruption
        /// The offset the error must name.
        var offset: @Sendable (FileLayout) -> Int
        var message: String? = nil
        var damage: @Sendable (inout [UInt8], FileLayout) -> Void
    }

    static let fieldCases: [FieldCase] = {
        func header(_ name: String, _ field: Int, code: MantisError.Code = .corruption, reportedAt: Int? = nil, message: String? = nil,
                    _ damage: @escaping @Sendable (inout [UInt8]) -> Void) -> FieldCase {
            FieldCase(description: "header \(name)", code: code, offset: { _ in reportedAt ?? field }, message: message) { file, _ in damage(&file) }
        }
        func block(_ name: String, _ field: Int, reportedAt: Int? = nil, message: String? = nil,
                   _ damage: @escaping @Sendable (inout [UInt8], FileLayout.Block) -> Void) -> FieldCase {
            FieldCase(description: "block 1 \(name)", offset: { $0.blocks[1].start + (reportedAt ?? field) }, message: message) { file, layout in
                damage(&file, layout.blocks[1])
            }
        }
        func footer(_ name: String, _ field: Int, message: String? = nil, _ damage: @escaping @Sendable (inout [UInt8], Int) -> Void) -> FieldCase {
            FieldCase(description: "footer \(name)", offset: { $0.footerOffset + field }, message: message) { file, layout in
                damage(&file, layout.footerOffset)
            }
        }
        return [
            header("magic", 0, message: "bad magic") { $0[3] ^= 0x20 },
            header("format version", 8, code: .unsupportedFormat, message: "version 2") { $0.putU32(2, at: 8) },
            header("header size", 12, message: "header size 65") { $0.putU32(65, at: 12) },
            header("LSN", 16, message: "file name says 42") { $0.putU64(43, at: 16) },
            header("codec id", 40, code: .unsupportedFormat, message: "codec id 99") { $0[40] = 99 },
            header("checksum id (unknown)", 41, code: .unsupportedFormat, message: "checksum algorithm id 99") { $0[41] = 99 },
            FieldCase(description: "header checksum id (another known algorithm)", offset: { $0.blocks[0].start }, message: "checksum mismatch") { file, _ in
                file[41] = ChecksumIdentifier.crc32c
            },
            header("bytes 42..<44", 42) { $0[43] = 1 },
            header("block size 0", 44, message: "block size 0") { $0.putU32(0, at: 44) },
            header("block size over 64 MiB", 44) { $0.putU32(UInt32(CheckpointFormat.maximumBlockSize + 1), at: 44) },
            header("reserved 48..<60", 50) { $0[50] = 1 },
            block("marker", 0, message: "marker") { file, block in file[block.start] ^= 1 },
            block("block number", 4, message: "says it is block 5") { file, block in file.putU32(5, at: block.start + 4) },
            block("entry count 0", 8) { file, block in file.putU32(0, at: block.start + 8) },
            block("entry count huge", 8) { file, block in file.putU32(.max, at: block.start + 8) },
            block("entry count one too many", 8, reportedAt: 0, message: "runs past the end of the block") { file, block in
                file.putU32(file.u32(at: block.start + 8) + 1, at: block.start + 8)
            },
            block("entry count one too few", 8, reportedAt: 0, message: "bytes follow") { file, block in
                file.putU32(file.u32(at: block.start + 8) - 1, at: block.start + 8)
            },
            block("uncompressed length huge", 12, message: "over the") { file, block in file.putU32(0xFFFF_FFF0, at: block.start + 12) },
            block("uncompressed length one more", 12, reportedAt: 0, message: "cannot decompress") { file, block in
                file.putU32(file.u32(at: block.start + 12) + 1, at: block.start + 12)
            },
            block("stored length huge", 16, message: "remain before the footer") { file, block in file.putU32(0x7FFF_FFFF, at: block.start + 16) },
            block("stored length past the footer", 16) { file, block in
                file.putU32(UInt32(file.count - block.start - 24 - 64 + 1), at: block.start + 16)
            },
            block("stored length one more", 16, reportedAt: 0, message: "checksum mismatch") { file, block in
                file.putU32(file.u32(at: block.start + 16) + 1, at: block.start + 16)
            },
            block("first key length huge", 24, reportedAt: 0, message: "key length") { file, block in
                file.putU32(0x00FF_FFFF, at: block.start + 24)
            },
            footer("magic", 0, message: "footer magic") { file, at in file[at + 7] ^= 0x40 },
            footer("entry count one more", 8, message: "the footer counts") { file, at in file.putU64(file.u64(at: at + 8) + 1, at: at + 8) },
            footer("entry count huge", 8) { file, at in file.putU64(1 << 60, at: at + 8) },
            footer("block count one more", 16) { file, at in file.putU64(file.u64(at: at + 16) + 1, at: at + 16) },
            footer("block count one fewer", 16) { file, at in file.putU64(file.u64(at: at + 16) - 1, at: at + 16) },
            footer("block count huge", 16) { file, at in file.putU64(1 << 62, at: at + 16) },
            footer("uncompressed bytes one more", 24) { file, at in file.putU64(file.u64(at: at + 24) + 1, at: at + 24) },
            footer("uncompressed bytes huge", 24) { file, at in file.putU64(1 << 62, at: at + 24) },
            footer("footer offset", 32) { file, at in file.putU64(UInt64(at - 1), at: at + 32) },
            footer("LSN", 40) { file, at in file.putU64(41, at: at + 40) },
            footer("reserved", 48) { file, at in file[at + 53] = 1 },
        ]
    }()

    @Test("each field damaged on its own (checksums recomputed) is caught by its own check", arguments: fieldCases)
    func eachField(_ field: FieldCase) throws {
        let (fs, pristine, _) = try Self.sample(seed: 21)
        let layout = FileLayout(pristine)
        var file = pristine
        field.damage(&file, layout)
        layout.reseal(&file)
        try overwrite(Self.path, with: file, fileSystem: fs)
        let counting = HaltingFileSystem(fs)
        let error = verifyError(Self.path, fileSystem: counting)
        let offset = field.offset(layout)
        Self.expectCorruption(error, in: offset..<(offset + 1), "\(field)", code: field.code)
        if let message = field.message {
            #expect(error?.message.contains(message) == true, "\(field): \(String(describing: error))")
        }
        #expect(counting.largestRead <= pristine.count, "\(field): a read of \(counting.largestRead) bytes was asked for")
    }

    @Test("the checksums themselves: header CRC, block checksum, whole-file checksum, footer CRC")
    func checksumFields() throws {
        let (fs, pristine, _) = try Self.sample(seed: 22)
        let layout = FileLayout(pristine)
        let footer = layout.footerOffset
        let cases: [(String, Int, reportedAt: Int, Bool)] = [
            ("header CRC", 60, 60, false),
            ("block 2 checksum", layout.blocks[2].start + 20, layout.blocks[2].start, false),
            ("whole-file checksum", footer + 56, footer + 56, true),
            ("footer CRC", footer + 60, footer + 60, false),
        ]
        for (name, byte, reportedAt, resealFooter) in cases {
            var file = pristine
            file[byte] ^= 0x10
            if resealFooter { file.putU32(crc32.checksum(Array(file[footer..<(footer + 60)])), at: footer + 60) }
            try overwrite(Self.path, with: file, fileSystem: fs)
            Self.expectCorruption(verifyError(Self.path, fileSystem: fs), in: reportedAt..<(reportedAt + 1), name)
        }
    }

    @Test("a file cut at every block boundary, inside every block and inside header and footer is caught")
    func truncation() throws {
        let (fs, pristine, _) = try Self.sample(seed: 23)
        let layout = FileLayout(pristine)
        var cuts: Set<Int> = [0, 1, 8, 63, 64, 65, 127, layout.footerOffset, layout.footerOffset + 1, layout.footerOffset + 32, pristine.count - 1]
        for block in layout.blocks {
            cuts.formUnion([block.start, block.start + 1, block.start + 23, block.start + 24, block.start + 24 + block.storedLength / 2, block.end - 1])
        }
        for cut in cuts.sorted() {
            try overwrite(Self.path, with: Array(pristine[0..<cut]), fileSystem: fs)
            Self.expectCorruption(verifyError(Self.path, fileSystem: fs), in: 0..<(cut + 1), "cut at \(cut) of \(pristine.count)")
        }
    }

    @Test("a file extended by bytes after its footer is caught")
    func extension_() throws {
        let (fs, pristine, _) = try Self.sample(seed: 24)
        let footer = Array(pristine.suffix(64))
        for tail in [[0], [UInt8](repeating: 0, count: 64), footer, Array(pristine[64..<200])] as [[UInt8]] {
            try overwrite(Self.path, with: pristine + tail, fileSystem: fs)
            let end = pristine.count + tail.count
            Self.expectCorruption(verifyError(Self.path, fileSystem: fs), in: (end - 64)..<end, "\(tail.count) bytes appended")
        }
    }

    @Test("keys out of order, within a block or across blocks, or repeated, are corruption; no entry of that block is delivered")
    func outOfOrder() throws {
        let fs = FaultInjectingFileSystem(seed: 25)
        let entries: [Entry] = (0..<30).map { (Array("k\(100 + $0)".utf8), [UInt8](repeating: UInt8($0), count: 10)) }
        let info = try writeCheckpoint(entries, fileSystem: fs, blockSize: 64)
        let pristine = try fs.readFile(info.path)
        let layout = FileLayout(pristine)
        let block = layout.blocks[3]
        #expect(pristine.u32(at: block.start + 8) == 2, "two entries per block")
        let firstKey = block.start + 24 + 4
        let secondKey = firstKey + 4 + 4 + 10 + 4  // key, value length, value, key length
        #expect(Array(pristine[firstKey..<(firstKey + 4)]) == bytes("k106"))
        let cases: [(String, Int, [UInt8])] = [
            ("second key before the first", secondKey, bytes("k105")),
            ("second key equal to the first", secondKey, bytes("k106")),
            ("first key before the last key of the previous block", firstKey, bytes("k104")),
            ("first key equal to the last key of the previous block", firstKey, bytes("k105")),
        ]
        for (name, at, key) in cases {
            var file = pristine
            file.replaceSubrange(at..<(at + 4), with: key)
            layout.reseal(&file)
            try overwrite(info.path, with: file, fileSystem: fs)
            let reader = try CheckpointReader.open(path: info.path, fileSystem: fs, codecs: allCodecs, checksums: allChecksums)
            var delivered: [[UInt8]] = []
            do {
                try reader.forEach { key, _ in delivered.append(key) }
                Issue.record("\(name): not detected")
            } catch let error as MantisError {
                #expect(error.code == .corruption && error.message.contains("out of order"), "\(name): \(error)")
                #expect(error.context.offset == Int64(block.start) && error.context.file == info.path, "\(name): \(error)")
            }
            #expect(delivered == entries.prefix(6).map(\.key), "\(name): only the entries of blocks 0–2 were delivered")
        }
    }

    @Test("a damaged block stops delivery before any of its entries")
    func noEntryOfABadBlock() throws {
        let (fs, pristine, entries) = try Self.sample(seed: 26, count: 200, blockSize: 256)
        let layout = FileLayout(pristine)
        let damaged = layout.blocks[4]
        let before = layout.blocks.prefix(4).reduce(0) { $0 + Int(pristine.u32(at: $1.start + 8)) }
        try fs.corrupt(path: Self.path, offset: Int64(damaged.end - 1), xor: 0x04)
        let reader = try CheckpointReader.open(path: Self.path, fileSystem: fs, codecs: allCodecs, checksums: allChecksums)
        var delivered = 0
        #expect(throws: MantisError.self) { try reader.forEach { _, _ in delivered += 1 } }
        #expect(delivered == before)
        #expect(before > 0 && before < entries.count)
    }

    @Test("transient bit flips on read are caught every time")
    func bitFlipsOnRead() throws {
        let (fs, _, _) = try Self.sample(seed: 27)
        fs.flipBitsOnRead(probability: 1, pathContains: "checkpoint-")
        for _ in 0..<50 {
            #expect(verifyError(Self.path, fileSystem: fs)?.code == .corruption)
        }
        fs.flipBitsOnRead(probability: 0, pathContains: "checkpoint-")
        #expect(verifyError(Self.path, fileSystem: fs) == nil)
    }

    @Test("a file that is not a checkpoint, an empty file and a file named for another LSN are refused")
    func foreignFiles() throws {
        let fs = FaultInjectingFileSystem(seed: 28)
        try fs.createDirectory("/db/checkpoints")
        var random = SplitMix64(seed: 28)
        try fs.writeFileAtomically(Self.path, contents: (0..<500).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        Self.expectCorruption(verifyError(Self.path, fileSystem: fs), in: 0..<1, "random bytes")
        try fs.writeFileAtomically(Self.path, contents: [])
        Self.expectCorruption(verifyError(Self.path, fileSystem: fs), in: 0..<1, "empty file")
        let info = try writeCheckpoint([], lsn: 7, fileSystem: fs)
        try fs.rename(info.path, to: Self.path)
        Self.expectCorruption(verifyError(Self.path, fileSystem: fs), in: 16..<17, "renamed to another LSN")
    }
}
