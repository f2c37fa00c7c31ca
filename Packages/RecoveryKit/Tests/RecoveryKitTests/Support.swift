import IntegrityKit
import MantisCore
import MantisCoreTesting
import RecoveryKit
import Synchronization
import Testing

let crc32 = CRC32Checksum()
let noneCodec = NoneCheckpointCodec()
let rleCodec = RunLengthCodec()
let allCodecs: [any CheckpointCodec] = [NoneCheckpointCodec(), RunLengthCodec()]
let allChecksums: [any ChecksumAlgorithm] = ChecksumAlgorithms.all

typealias Entry = (key: [UInt8], value: [UInt8])

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// `count` entries with unique keys in ascending order and values of `valueLength(index)` bytes,
/// all drawn from `seed`.
func makeEntries(count: Int, seed: UInt64, keyLength: ClosedRange<Int> = 1...24,
                 valueLength: (Int, inout SplitMix64) -> Int = { _, random in Int(random.next() % 200) }) -> [Entry] {
    var random = SplitMix64(seed: seed)
    var keys = Set<[UInt8]>()
    while keys.count < count {
        let length = keyLength.lowerBound + Int(random.next() % UInt64(keyLength.count))
        keys.insert((0..<length).map { _ in UInt8(truncatingIfNeeded: random.next() % 7 + 0x61) })
    }
    return keys.sorted { $0.lexicographicallyPrecedes($1) }.enumerated().map { index, key in
        let length = valueLength(index, &random)
        // Runs of repeated bytes, so the run-length codec has something to compress.
        let fill = UInt8(truncatingIfNeeded: random.next())
        return (key, (0..<length).map { $0 % 13 == 0 ? UInt8(truncatingIfNeeded: $0) : fill })
    }
}

/// Writes `entries` as a checkpoint and returns what `finish()` reported.
@discardableResult
func writeCheckpoint(
    _ entries: [Entry], directory: String = "/db/checkpoints", lsn: LSN = 42, nextTransactionID: TransactionID = 7,
    codec: any CheckpointCodec = noneCodec, fileSystem: any FileSystem, blockSize: Int = 256, createdAt: UInt64 = 1_700_000_000_000_000_000
) throws -> CheckpointInfo {
    let writer = try CheckpointWriter(
        directory: directory, lsn: lsn, nextTransactionID: nextTransactionID, codec: codec, checksum: crc32,
        fileSystem: fileSystem, blockSize: blockSize, createdAtNanoseconds: createdAt)
    for entry in entries { try writer.append(key: entry.key, value: entry.value) }
    return try writer.finish()
}

/// Every entry of the checkpoint at `path` (after a full verification).
func readCheckpoint(_ path: String, fileSystem: any FileSystem, codecs: [any CheckpointCodec] = allCodecs) throws -> [Entry] {
    let reader = try CheckpointReader.open(path: path, fileSystem: fileSystem, codecs: codecs, checksums: allChecksums)
    defer { try? reader.close() }
    var entries: [Entry] = []
    try reader.forEach { key, value in entries.append((key, value)) }
    return entries
}

/// Opens and fully verifies `path`; returns the error it throws, if any.
func verifyError(_ path: String, fileSystem: any FileSystem, codecs: [any CheckpointCodec] = allCodecs) -> MantisError? {
    do {
        let reader = try CheckpointReader.open(path: path, fileSystem: fileSystem, codecs: codecs, checksums: allChecksums)
        defer { try? reader.close() }
        try reader.verify()
        return nil
    } catch let error as MantisError {
        return error
    } catch {
        return MantisError(.internalError, "not a MantisError: \(error)")
    }
}

func sameEntries(_ a: [Entry], _ b: [Entry]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
}

/// Replaces the content of `path` with `contents` (not atomically: a test tool).
func overwrite(_ path: String, with contents: [UInt8], fileSystem: any FileSystem) throws {
    let file = try fileSystem.openFile(path, options: [.write, .truncate])
    try file.write(contents, at: 0)
    try file.sync()
    try file.close()
}

// MARK: - Layout of a well-formed file

/// Where the structures of a checkpoint file are, read from a well-formed file.
struct FileLayout {
    struct Block {
        var start: Int
        var storedLength: Int
        var end: Int { start + 24 + storedLength }
        var range: Range<Int> { start..<end }
    }

    var header: Range<Int> { 0..<64 }
    var blocks: [Block]
    var footerOffset: Int
    var footer: Range<Int> { footerOffset..<(footerOffset + 64) }

    init(_ file: [UInt8]) {
        footerOffset = file.count - 64
        var blocks: [Block] = []
        var offset = 64
        while offset < footerOffset {
            let stored = Int(file.u32(at: offset + 16))
            blocks.append(Block(start: offset, storedLength: stored))
            offset += 24 + stored
        }
        precondition(offset == footerOffset, "not a well-formed checkpoint")
        self.blocks = blocks
    }

    /// The name and byte range of the structure holding `offset`.
    func structure(at offset: Int) -> (name: String, range: Range<Int>) {
        if header.contains(offset) { return ("header", header) }
        if footer.contains(offset) { return ("footer", footer) }
        let index = blocks.firstIndex { $0.range.contains(offset) }!
        return ("block \(index)", blocks[index].range)
    }

    /// Recomputes every checksum of `file` over this layout: header CRC, block checksums,
    /// the whole-file checksum and the footer CRC. Lets a test damage one field and see the
    /// field's own check (not a checksum) catch it.
    func reseal(_ file: inout [UInt8]) {
        file.putU32(crc32.checksum(Array(file[0..<60])), at: 60)
        for block in blocks {
            let covered = Array(file[block.start..<(block.start + 20)]) + Array(file[(block.start + 24)..<block.end])
            file.putU32(crc32.checksum(covered), at: block.start + 20)
        }
        file.putU32(crc32.checksum(Array(file[0..<(footerOffset + 56)])), at: footerOffset + 56)
        file.putU32(crc32.checksum(Array(file[footerOffset..<(footerOffset + 60)])), at: footerOffset + 60)
    }
}

extension Array where Element == UInt8 {
    func u32(at offset: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 | UInt32(self[offset + $1]) << (8 * $1) }
    }

    func u64(at offset: Int) -> UInt64 {
        (0..<8).reduce(0) { $0 | UInt64(self[offset + $1]) << (8 * $1) }
    }

    mutating func putU32(_ value: UInt32, at offset: Int) {
        for index in 0..<4 { self[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }

    mutating func putU64(_ value: UInt64, at offset: Int) {
        for index in 0..<8 { self[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }
}
