import MantisCore

/// A checkpoint file found in a checkpoint directory, by name alone (nothing read yet).
public struct CheckpointFile: Sendable, Hashable, CustomStringConvertible {
    /// The file name, `checkpoint-<LSN as 16 hex digits>.ckpt`.
    public var name: String
    public var path: String
    /// The LSN in the file name (the reader checks that the header agrees).
    public var lsn: LSN

    public init(name: String, path: String, lsn: LSN) {
        self.name = name
        self.path = path
        self.lsn = lsn
    }

    public var description: String { "\(path) (LSN \(lsn))" }
}
