import MantisCore
import Synchronization

/// Passes everything to `base`, counting `diskSpace` calls and optionally failing them.
final class CountingFileSystem: ForwardingFileSystem, Sendable {
    let base: any FileSystem
    let diskSpaceCalls = Atomic<Int>(0)
    let failDiskSpace = Atomic<Bool>(false)

    init(base: any FileSystem) { self.base = base }

    var name: String { "counting" }
    func openFile(_ path: String, options: FileOpenOptions) throws -> any StorageFile { try base.openFile(path, options: options) }
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
final class FlipOnceFileSystem: ForwardingFileSystem, Sendable {
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
}

final class FlipOnceFile: ForwardingStorageFile {
    let base: any StorageFile
    let done = Atomic<Bool>(false)
    init(base: any StorageFile) { self.base = base }
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        let count = try base.read(into: buffer, at: offset)
        // Flip a bit past the headers, in the middle of what was read.
        if count > 256, !done.exchange(true, ordering: .relaxed) { buffer[count / 2] ^= 0x10 }
        return count
    }
}

/// Retention racing the scrubber: the first read of a file whose path contains `fragment` renames
/// it away (as `retain` and log trimming do before cutting a file short) and returns bytes as the
/// cut file would (zeroes from the middle of what was read).
final class RemovedWhileReadFileSystem: ForwardingFileSystem, Sendable {
    let base: any FileSystem
    let fragment: String
    let removed = Mutex<Set<String>>([])

    init(base: any FileSystem, fragment: String) {
        self.base = base
        self.fragment = fragment
    }

    var name: String { "removed-while-read" }
    func openFile(_ path: String, options: FileOpenOptions) throws -> any StorageFile {
        let file = try base.openFile(path, options: options)
        guard path.contains(fragment), removed.withLock({ $0.insert(path).inserted }) else { return file }
        return RemovedWhileReadFile(base: file, fileSystem: base, path: path)
    }
}

final class RemovedWhileReadFile: ForwardingStorageFile {
    let base: any StorageFile
    let fileSystem: any FileSystem
    let originalPath: String
    let done = Atomic<Bool>(false)
    init(base: any StorageFile, fileSystem: any FileSystem, path: String) {
        self.base = base
        self.fileSystem = fileSystem
        self.originalPath = path
    }
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        let count = try base.read(into: buffer, at: offset)
        if count > 256, !done.exchange(true, ordering: .relaxed) {
            try fileSystem.rename(originalPath, to: originalPath + ".removing")
            for index in (count / 2)..<count { buffer[index] = 0 }
        }
        return count
    }
}
