/// A file system that wraps another and passes every call to it, except those it implements
/// itself: a conforming type declares `base`, `name` and `openFile` (usually returning a
/// `ForwardingStorageFile`) and overrides only what it changes (pacing, delays, counting).
public protocol ForwardingFileSystem: FileSystem {
    var base: any FileSystem { get }
}

extension ForwardingFileSystem {
    public func createDirectory(_ path: String) throws { try base.createDirectory(path) }
    public func contentsOfDirectory(_ path: String) throws -> [String] { try base.contentsOfDirectory(path) }
    public func fileType(_ path: String) throws -> FileType? { try base.fileType(path) }
    public func rename(_ source: String, to destination: String) throws { try base.rename(source, to: destination) }
    public func removeItem(_ path: String) throws { try base.removeItem(path) }
    public func syncDirectory(_ path: String) throws { try base.syncDirectory(path) }
    public func diskSpace(_ path: String) throws -> DiskSpace { try base.diskSpace(path) }
}
