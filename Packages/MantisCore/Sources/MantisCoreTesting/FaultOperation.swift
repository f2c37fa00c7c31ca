/// A kind of file-system call that `FaultInjectingFileSystem` counts and can fail.
///
/// Every call counts as one operation of its kind: `openFile` → `.open`, `read(into:at:)` →
/// `.read`, `write(_:at:)` → `.write`, `sync()` and `syncData()` → `.sync`, `syncDirectory` →
/// `.directorySync`, `rename` → `.rename`, `removeItem` → `.remove`, `truncate(to:)` →
/// `.truncate`, `preallocate` → `.preallocate`, `contentsOfDirectory` → `.list`.
/// (`size()`, `close()`, `fileType`, `createDirectory` and `diskSpace` are neither counted nor failed.)
public enum FaultOperation: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case open, read, write, sync, directorySync, rename, remove, truncate, preallocate, list

    public var description: String {
        switch self {
        case .open: "open"
        case .read: "read"
        case .write: "write"
        case .sync: "sync"
        case .directorySync: "directorySync"
        case .rename: "rename"
        case .remove: "remove"
        case .truncate: "truncate"
        case .preallocate: "preallocate"
        case .list: "list"
        }
    }
}
