/// A guard consulted before a transaction's writes are logged: a full disk (below the reserve),
/// a memory limit, a read-only mode. Refusing is cheap and loses nothing: the commit fails before
/// anything is written, reads continue, and writes resume by themselves once the guard admits them.
public protocol WriteAdmission: Sendable {
    /// Throws (e.g. `diskFull` saying how much is free and what the reserve is, `memoryLimit`)
    /// if a write of about `bytes` bytes must be refused now.
    func admit(bytes: Int) throws
}
