/// A guard consulted before a transaction's writes are logged: a full disk (below the reserve),
/// a memory limit, a read-only mode. Refusing is cheap and loses nothing: the commit fails before
/// anything is written, reads continue, and writes resume by themselves once the guard admits them.
public protocol WriteAdmission: Sendable {
    /// Throws (e.g. `diskFull` saying how much is free and what the reserve is, `memoryLimit`)
    /// if a write of about `bytes` bytes must be refused now.
    func admit(bytes: Int) throws

    /// The commit path's entry point: may also slow the writer down (backpressure) and admit
    /// delete-only writes past a memory limit, since they free memory. Defaults to `admit(bytes:)`.
    func admit(_ request: WriteRequest) async throws
}

extension WriteAdmission {
    public func admit(_ request: WriteRequest) async throws {
        try admit(bytes: request.bytes)
    }
}

/// What a commit is about to log.
public struct WriteRequest: Sendable, Hashable {
    /// About how many bytes the commit writes to the log.
    public var bytes: Int
    /// True if every write of the commit is a delete.
    public var deletesOnly: Bool

    public init(bytes: Int, deletesOnly: Bool) {
        self.bytes = bytes
        self.deletesOnly = deletesOnly
    }
}
