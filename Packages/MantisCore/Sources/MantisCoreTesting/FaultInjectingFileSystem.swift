import MantisCore
import Synchronization

/// A `FileSystem` test double that models what a disk really promises, so crash tests can prove
/// the database keeps its durability promises (modelled on SQLite's crash-test VFS).
///
/// Files are inodes with *current* bytes (what reads see: the page cache) and *durable* bytes
/// (what survives power loss), plus the ordered unsynced writes, truncations and preallocations.
/// `sync()`/`syncData()` make the pending changes durable. Directory entries (creations, renames,
/// removals) change the current namespace and become durable only on `syncDirectory` of their
/// parent; directories themselves are durable once created. `crash(_:)` simulates a process
/// crash or a power loss (dropping, tearing or garbling what was not durable), after which every
/// handle opened before throws `closed`.
///
/// A failed (injected) sync loses the pending changes for durability — reads still see them, but
/// no later sync makes them durable ("fsyncgate"), so a test can prove a failed fsync is never
/// retried. Faults are injected by `inject(_:)` rules, `flipBitsOnRead`, `corrupt` and `capacity`;
/// each fired fault is logged in `injectedFaults`. Every random choice comes from `seed`: the same
/// seed and the same sequence of calls give the same faults and the same crash outcomes.
///
/// In memory (the default) any path works: `//`, `.` and a trailing `/` are normalized and relative
/// paths are taken from the root. With a `backingDirectory` the model is loaded from that real
/// directory (everything in it durable), every change is mirrored to the real files and a crash
/// rewrites them to the post-crash state; paths are then the real absolute paths under it.
///
/// Thread-safe: the whole model sits behind one `Mutex`, so calls are serialized.
public final class FaultInjectingFileSystem: FileSystem, Sendable {
    let state: Mutex<FaultState>
    /// The seed every random choice derives from.
    public let seed: UInt64

    /// - Parameters:
    ///   - seed: the seed of every random choice (faults, short writes, bit flips, crashes).
    ///   - backingDirectory: a real directory to load from and mirror to (created if missing).
    ///     If it cannot be loaded, every file-system call throws `invalidConfiguration`.
    public init(seed: UInt64, backingDirectory: String? = nil) {
        self.seed = seed
        state = Mutex(FaultState(seed: seed, backingDirectory: backingDirectory))
    }

    public var name: String { "fault-injecting" }

    /// The backing directory (absolute, normalized), if any.
    public var backingDirectory: String? {
        state.withLock { $0.backing?.root }
    }

    /// How many crashes happened (handles carry the generation they were opened in).
    public var generation: Int {
        state.withLock { $0.generation }
    }

    func withState<Result: Sendable>(_ body: (inout FaultState) throws -> Result) throws -> Result {
        try state.withLock { state throws -> Result in try body(&state) }
    }

    // MARK: FileSystem

    public func openFile(_ path: String, options: FileOpenOptions) throws -> any StorageFile {
        let token = try withState { try $0.open(path, options: options) }
        return FaultInjectingFile(path: path, token: token, fileSystem: self)
    }

    public func createDirectory(_ path: String) throws {
        try withState { try $0.createDirectory(path) }
    }

    public func contentsOfDirectory(_ path: String) throws -> [String] {
        try withState { try $0.contentsOfDirectory(path) }
    }

    public func fileType(_ path: String) throws -> FileType? {
        try withState { try $0.fileType(path) }
    }

    public func rename(_ source: String, to destination: String) throws {
        try withState { try $0.rename(source, to: destination) }
    }

    public func removeItem(_ path: String) throws {
        try withState { try $0.removeItem(path) }
    }

    public func syncDirectory(_ path: String) throws {
        try withState { try $0.syncDirectory(path) }
    }

    public func diskSpace(_ path: String) throws -> DiskSpace {
        try withState { state in
            try state.checkUsable()
            return try state.diskSpace(path)
        }
    }
}
