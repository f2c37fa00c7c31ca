import MantisCore

/// An open file of a `FaultInjectingFileSystem`. Every call goes through the file system's model
/// (and its faults); after `close()` or a crash every call throws `closed`.
final class FaultInjectingFile: StorageFile {
    let path: String
    private let token: HandleToken
    private let fileSystem: FaultInjectingFileSystem

    init(path: String, token: HandleToken, fileSystem: FaultInjectingFileSystem) {
        self.path = path
        self.token = token
        self.fileSystem = fileSystem
    }

    deinit {
        let token = token
        let path = path
        try? fileSystem.withState { try $0.close(token, path: path) }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        try fileSystem.state.withLock { state in try state.read(token, path: path, into: buffer, at: offset) }
    }

    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        try fileSystem.state.withLock { state in try state.write(token, path: path, bytes: bytes, at: offset) }
    }

    func size() throws -> Int64 {
        try fileSystem.withState { try $0.size(token, path: path) }
    }

    func truncate(to size: Int64) throws {
        try fileSystem.withState { try $0.truncate(token, path: path, to: size) }
    }

    func preallocate(_ length: Int64) throws {
        try fileSystem.withState { try $0.preallocate(token, path: path, length: length) }
    }

    func sync() throws {
        try fileSystem.withState { try $0.sync(token, path: path, dataOnly: false) }
    }

    func syncData() throws {
        try fileSystem.withState { try $0.sync(token, path: path, dataOnly: true) }
    }

    func close() throws {
        try fileSystem.withState { try $0.close(token, path: path) }
    }
}
