import MantisCore
import Synchronization
@testable import WALKit

/// The real file system, counting `fileType` lookups (what a `stat` is) of segment files.
final class StatCountingFileSystem: FileSystem {
    let base = PosixFileSystem()
    let lookups = Atomic<Int>(0)
    var name: String { "stat-counting" }
    func openFile(_ path: String, options: FileOpenOptions) throws -> any StorageFile { try base.openFile(path, options: options) }
    func createDirectory(_ path: String) throws { try base.createDirectory(path) }
    func contentsOfDirectory(_ path: String) throws -> [String] { try base.contentsOfDirectory(path) }
    func fileType(_ path: String) throws -> FileType? {
        // Segment files only: the preparer looks up its spare files in the background.
        if WALFormat.firstLSN(ofSegmentNamed: Path.lastComponent(of: path)) != nil { lookups.add(1, ordering: .relaxed) }
        return try base.fileType(path)
    }
    func rename(_ source: String, to destination: String) throws { try base.rename(source, to: destination) }
    func removeItem(_ path: String) throws { try base.removeItem(path) }
    func syncDirectory(_ path: String) throws { try base.syncDirectory(path) }
    func diskSpace(_ path: String) throws -> DiskSpace { try base.diskSpace(path) }
}
