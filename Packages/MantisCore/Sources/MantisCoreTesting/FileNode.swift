typealias NodeID = Int

/// A regular file of the model: an inode with what reads see and what survives power loss.
struct FileNode: Sendable {
    /// What reads see (the page cache).
    var current: [UInt8] = []
    /// What survives a power loss.
    var durable: [UInt8] = []
    /// Writes, truncations and preallocations since the last successful sync, in order.
    /// `durable` with these applied is what a successful sync makes durable; after a failed
    /// sync they are dropped, so `current` may then differ from it (lost for durability).
    var pending: [PendingChange] = []
    /// The directory holding the file in the current namespace (nil once removed).
    var parent: NodeID?
    var name: String = ""
    /// Open handles of the current generation.
    var openHandles = 0
}
