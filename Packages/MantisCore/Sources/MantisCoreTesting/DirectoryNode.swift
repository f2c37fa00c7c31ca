/// A directory of the model, with its current and its durable entries.
struct DirectoryNode: Sendable {
    /// The entries as seen now.
    var entries: [String: NodeID] = [:]
    /// The entries as they would be found after a power loss (updated by `syncDirectory`).
    var durableEntries: [String: NodeID] = [:]
    var parent: NodeID?
    var name: String = ""
}
