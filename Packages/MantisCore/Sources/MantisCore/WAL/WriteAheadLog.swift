/// The write-ahead log: an append-only sequence of checksummed records with consecutive LSNs.
///
/// Guarantees every implementation keeps:
/// - `append` returns only when its durability level is met for every record it was given;
/// - after any write or sync failure the log is *failed*: that append and every later one throw
///   `walFailed` with the original cause, and a failed sync is never retried;
/// - LSNs are consecutive, strictly increasing and never reused, across restarts too;
/// - every entry read back has been checksum-verified; damage is thrown, never skipped.
public protocol WriteAheadLog: AnyObject, Sendable {
    /// Queues `records` with consecutive LSNs and returns the LSN of the last one, without
    /// waiting: nothing is promised about durability until `waitForDurability(of:)` returns.
    /// Lets a caller fix its commit order (the LSN) inside a critical section, then wait outside it.
    func enqueue(_ records: [WALRecord]) throws -> LSN

    /// Returns once the records up to `lsn` meet the log's durability level.
    func waitForDurability(of lsn: LSN) async throws

    /// Returns once every record appended before the call is durable.
    func sync() async throws

    /// The entries with LSN ≥ `lsn`, in order, up to the last record written when the cursor was made.
    func entries(from lsn: LSN) throws -> any WALCursor

    /// Removes the segments whose records all have LSN < `lsn` (archiving them first if the log is
    /// so configured). Never removes the active segment or any record ≥ `lsn`. Returns how many.
    @discardableResult
    func removeSegments(below lsn: LSN) throws -> Int

    /// Counters and positions, for status pages and metrics. Cheap enough to read on every
    /// request: it takes a lock and copies, and touches no file.
    var status: WALStatus { get }

    /// Makes everything durable and releases the files. Later calls throw `closed`.
    func close() async throws

    /// The largest record payload `enqueue` accepts; a bigger one throws `recordTooLarge`.
    var maxRecordPayload: Int { get }
}

extension WriteAheadLog {
    /// No limit of the log's own.
    public var maxRecordPayload: Int { .max }

    /// Why the log failed (`status.failure`), or nil.
    public var failure: String? { status.failure }

    /// Appends `records` with consecutive LSNs and returns the LSN of the last one, once the log's
    /// durability level is met for all of them.
    @discardableResult
    public func append(_ records: [WALRecord]) async throws -> LSN {
        let last = try enqueue(records)
        try await waitForDurability(of: last)
        return last
    }
}

/// Reads entries in LSN order. Each `next()` returns a checksum-verified entry, nil at the end,
/// or throws a `corruption` error naming the file and offset.
public protocol WALCursor: AnyObject {
    func next() throws -> WALEntry?
}
