import MantisCore
import Synchronization

/// Passes everything to `base`, counting `diskSpace` calls and optionally failing them.
final class CountingFileSystem: FileSystem, Sendable {
    let base: any FileSystem
    let diskSpaceCalls = Atomic<Int>(0)
    let failDiskSpace = Atomic<Bool>(false)

    init(base: any FileSystem) { self.base = base }

    var name: String { "counting" }
    func openFile(_ path: String, options: FileOpenOptions) throws -> any StorageFile { try base.openFile(path, options: options) }
    func createDirectory(_ path: String) throws { try base.createDirectory(path) }
    func contentsOfDirectory(_ path: String) throws -> [String] { try base.contentsOfDirectory(path) }
    func fileType(_ path: String) throws -> FileType? { try base.fileType(path) }
    func rename(_ source: String, to destination: String) throws { try base.rename(source, to: destination) }
    func removeItem(_ path: String) throws { try base.removeItem(path) }
    func syncDirectory(_ path: String) throws { try base.syncDirectory(path) }
    func diskSpace(_ path: String) throws -> DiskSpace {
        diskSpaceCalls.add(1, ordering: .relaxed)
        if failDiskSpace.load(ordering: .relaxed) {
            throw MantisError(.ioError, "statvfs failed: EIO", context: ErrorContext(operation: "statvfs", file: path, errno: 5))
        }
        return try base.diskSpace(path)
    }
}

/// Flips one bit in the first read of each file whose path contains `fragment` (then reads
/// are clean): a transient read error the scrubber must not quarantine.
final class FlipOnceFileSystem: FileSystem, Sendable {
    let base: any FileSystem
    let fragment: String
    let flipped = Mutex<Set<String>>([])

    init(base: any FileSystem, fragment: String) {
        self.base = base
        self.fragment = fragment
    }

    var name: String { "flip-once" }
    func openFile(_ path: String, options: FileOpenOptions) throws -> any StorageFile {
        let file = try base.openFile(path, options: options)
        guard path.contains(fragment), flipped.withLock({ $0.insert(path).inserted }) else { return file }
        return FlipOnceFile(base: file)
    }
    func createDirectory(_ path: String) throws { try base.createDirectory(path) }
    func contentsOfDirectory(_ path: String) throws -> [String] { try base.contentsOfDirectory(path) }
    func fileType(_ path: String) throws -> FileType? { try base.fileType(path) }
    func rename(_ source: String, to destination: String) throws { try base.rename(source, to: destination) }
    func removeItem(_ path: String) throws { try base.removeItem(path) }
    func syncDirectory(_ path: String) throws { try base.syncDirectory(path) }
    func diskSpace(_ path: String) throws -> DiskSpace { try base.diskSpace(path) }
}

final class FlipOnceFile: StorageFile {
    let base: any StorageFile
    let done = Atomic<Bool>(false)
    init(base: any StorageFile) { self.base = base }
    var path: String { base.path }
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        let count = try base.read(into: buffer, at: offset)
        // Flip a bit past the headers, in the middle of what was read.
        if count > 256, !done.exchange(true, ordering: .relaxed) { buffer[count / 2] ^= 0x10 }
        return count
    }
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws { try base.write(bytes, at: offset) }
    func size() throws -> Int64 { try base.size() }
    func truncate(to size: Int64) throws { try base.truncate(to: size) }
    func preallocate(_ length: Int64) throws { try base.preallocate(length) }
    func sync() throws { try base.sync() }
    func syncData() throws { try base.syncData() }
    func close() throws { try base.close() }
}
