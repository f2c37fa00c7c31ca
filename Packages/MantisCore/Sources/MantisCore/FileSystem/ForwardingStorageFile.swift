/// A file that wraps another and passes every call to it, except those it implements itself
/// (the file half of a `ForwardingFileSystem`).
public protocol ForwardingStorageFile: StorageFile {
    var base: any StorageFile { get }
}

extension ForwardingStorageFile {
    public var path: String { base.path }
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int { try base.read(into: buffer, at: offset) }
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws { try base.write(bytes, at: offset) }
    public func size() throws -> Int64 { try base.size() }
    public func truncate(to size: Int64) throws { try base.truncate(to: size) }
    public func preallocate(_ length: Int64) throws { try base.preallocate(length) }
    public func sync() throws { try base.sync() }
    public func syncData() throws { try base.syncData() }
    public func close() throws { try base.close() }
}
