/// How `FaultInjectingFileSystem.crash(_:)` treats what was not yet durable.
///
/// Synced bytes and dir-synced entries are never touched by any mode.
public enum CrashMode: Sendable, CaseIterable, CustomStringConvertible {
    /// The process dies (kill -9) but the kernel lives: every write and the current namespace
    /// survive, and become the new durable state, except writes a failed sync dropped
    /// ("fsyncgate"): they still read back, but a later power loss takes them.
    case processCrash
    /// Power loss: every file reverts to its durable content and every directory to its
    /// durable entries.
    case dropUnsynced
    /// Power loss mid-writeback: per file, a random prefix of the unsynced changes is re-applied
    /// in order on top of the durable content; the last write of the prefix is cut at a 512-byte
    /// sector boundary (absolute file offsets). The namespace reverts as with `.dropUnsynced`.
    case tornPrefix
    /// Power loss with reordered, garbled writeback: every 512-byte sector touched by an unsynced
    /// write independently ends up new, old (durable) or random garbage (about 1/3 each; at least
    /// one sector of the whole crash is garbage when any unsynced write exists). Unsynced size
    /// changes take effect. The namespace reverts as with `.dropUnsynced`.
    case garbleUnsynced

    public var description: String {
        switch self {
        case .processCrash: "processCrash"
        case .dropUnsynced: "dropUnsynced"
        case .tornPrefix: "tornPrefix"
        case .garbleUnsynced: "garbleUnsynced"
        }
    }
}
