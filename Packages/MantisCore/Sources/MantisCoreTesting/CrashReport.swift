/// What `FaultInjectingFileSystem.crash(_:)` did.
public struct CrashReport: Sendable, CustomStringConvertible {
    /// The fate of one file that had unsynced changes (or lost ones, after a failed sync).
    public struct FileOutcome: Sendable, Equatable {
        /// The path of the file after the crash.
        public var path: String
        /// Unsynced writes, truncations and preallocations pending at the crash.
        public var unsyncedChanges: Int
        /// How many of them took effect, whole or cut (`.tornPrefix`; all of them for
        /// `.processCrash` and `.garbleUnsynced`, none for `.dropUnsynced`).
        public var changesApplied: Int
        /// `.tornPrefix`: the absolute file offset at which the last applied write was cut
        /// (a multiple of 512), if it was cut.
        public var tornAt: Int64?
        /// `.garbleUnsynced`: sector numbers (offset / 512) that ended up with the new bytes,
        /// the old durable bytes, or random garbage.
        public var newSectors: [Int64]
        public var oldSectors: [Int64]
        public var garbageSectors: [Int64]
        /// Size before the crash (what reads saw) and after.
        public var sizeBefore: Int64
        public var sizeAfter: Int64
    }

    public var mode: CrashMode
    /// The generation the file system is in after the crash (it starts at 0).
    public var generation: Int
    /// Files with unsynced or lost changes, ordered by path.
    public var files: [FileOutcome]
    /// Paths whose content or existence differs from what reads saw before the crash, sorted.
    public var filesAffected: [String]
    /// Bytes that reads saw before the crash and that did not survive unchanged.
    public var bytesDropped: Int64
    /// `.tornPrefix`: writes cut at a sector boundary.
    public var writesTorn: Int
    /// `.garbleUnsynced`: sectors filled with random garbage.
    public var sectorsGarbled: Int
    /// Directory entries (creations, renames, removals) not yet dir-synced that were reverted.
    public var entriesReverted: Int
    /// Backing-directory mode: why the real directory could not be rewritten, if it could not.
    public var backingError: String?

    public var description: String {
        var text = "crash(\(mode)) → generation \(generation): \(filesAffected.count) file(s) affected, "
        text += "\(bytesDropped) byte(s) dropped, \(writesTorn) write(s) torn, \(sectorsGarbled) sector(s) garbled, "
        text += "\(entriesReverted) entr(ies) reverted"
        for file in files {
            text += "\n  \(file.path): \(file.changesApplied)/\(file.unsyncedChanges) unsynced change(s) applied, "
            text += "size \(file.sizeBefore) → \(file.sizeAfter)"
            if let tornAt = file.tornAt { text += ", torn at \(tornAt)" }
            if !file.garbageSectors.isEmpty { text += ", garbage sectors \(file.garbageSectors)" }
        }
        if let backingError { text += "\n  backing directory not rewritten: \(backingError)" }
        return text
    }
}
