import MantisCore
import Synchronization
import Testing
@testable import WALKit

@Suite("Segment preparer") struct SegmentPreparerTests {
    @Test("a zero-filled segment goes to disk a chunk at a time: never more than one chunk written and not yet synced")
    func zeroFillIsPaced() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let fs = UnsyncedBytesFileSystem()
        // Not a whole number of chunks, so the last, short chunk is covered too.
        let size = Int64(5 * SegmentPreparer.syncChunk + 12_345)
        let preparer = SegmentPreparer(directory: dir.path, fileSystem: fs, size: size, zeroFill: true)
        let path = try preparer.take()

        #expect(fs.maxUnsynced.load(ordering: .relaxed) <= SegmentPreparer.syncChunk,
                "up to \(fs.maxUnsynced.load(ordering: .relaxed)) bytes were written before a sync")
        #expect(fs.unsynced.load(ordering: .relaxed) == 0, "the segment's last bytes were not synced")
        #expect(fs.written.load(ordering: .relaxed) == Int(size))
        let file = try PosixFileSystem().openFile(path, options: .readOnly)
        defer { try? file.close() }
        #expect(try file.size() == size)
        var bytes = [UInt8](repeating: 0xFF, count: Int(size))
        let read = try bytes.withUnsafeMutableBytes { try file.read(into: $0, at: 0) }
        #expect(read == Int(size))
        #expect(bytes.allSatisfy { $0 == 0 })
    }

    @Test("without zero fill, the preallocated segment is synced once and nothing is written")
    func noZeroFill() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let fs = UnsyncedBytesFileSystem()
        let preparer = SegmentPreparer(directory: dir.path, fileSystem: fs, size: 3 << 20, zeroFill: false)
        let path = try preparer.take()
        #expect(fs.written.load(ordering: .relaxed) == 0)
        #expect(fs.syncs.load(ordering: .relaxed) == 1)
        #expect(try PosixFileSystem().fileSize(path) == 3 << 20)
    }
}

/// The real file system, tracking how many bytes were written to files and not yet synced.
final class UnsyncedBytesFileSystem: ForwardingFileSystem {
    let base: any FileSystem = PosixFileSystem()
    let unsynced = Atomic<Int>(0)
    let maxUnsynced = Atomic<Int>(0)
    let written = Atomic<Int>(0)
    let syncs = Atomic<Int>(0)
    var name: String { "unsynced-bytes" }

    func openFile(_ path: String, options: FileOpenOptions) throws -> any StorageFile {
        File(base: try base.openFile(path, options: options), owner: self)
    }

    final class File: ForwardingStorageFile {
        let base: any StorageFile
        let owner: UnsyncedBytesFileSystem

        init(base: any StorageFile, owner: UnsyncedBytesFileSystem) {
            self.base = base
            self.owner = owner
        }

        func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
            try base.write(bytes, at: offset)
            owner.written.add(bytes.count, ordering: .relaxed)
            let now = owner.unsynced.add(bytes.count, ordering: .relaxed).newValue
            owner.maxUnsynced.max(now, ordering: .relaxed)
        }

        func syncData() throws {
            try base.syncData()
            owner.syncs.add(1, ordering: .relaxed)
            owner.unsynced.store(0, ordering: .relaxed)
        }

        func sync() throws {
            try base.sync()
            owner.syncs.add(1, ordering: .relaxed)
            owner.unsynced.store(0, ordering: .relaxed)
        }
    }
}
