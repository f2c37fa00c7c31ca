import MantisCore

/// A file of a `HaltingFileSystem`: every call goes through the file system's `tick` first.
final class HaltingFile: StorageFile {
    let file: any StorageFile
    let fileSystem: HaltingFileSystem

    init(_ file: any StorageFile, fileSystem: HaltingFileSystem) {
        self.file = file
        self.fileSystem = fileSystem
    }

    var path: String { file.path }

    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        fileSystem.tick("read", "\(path)@\(offset)+\(buffer.count)")
        fileSystem.noteRead(buffer.count)
        return try file.read(into: buffer, at: offset)
    }

    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        fileSystem.tick("write", "\(path)@\(offset)+\(bytes.count)")
        try file.write(bytes, at: offset)
    }

    func size() throws -> Int64 { fileSystem.tick("size", path); return try file.size() }
    func truncate(to size: Int64) throws { fileSystem.tick("truncate", "\(path) to \(size)"); try file.truncate(to: size) }
    func preallocate(_ length: Int64) throws { fileSystem.tick("preallocate", "\(path) \(length)"); try file.preallocate(length) }
    func sync() throws { fileSystem.tick("fsync", path); try file.sync() }
    func syncData() throws { fileSystem.tick("fdatasync", path); try file.syncData() }
    func close() throws { fileSystem.tick("close", path); try file.close() }
}
