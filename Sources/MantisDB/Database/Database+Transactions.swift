import MantisCore
import ObservabilityKit
import TxnKit

extension Database {
    /// Runs `body` in a transaction and commits it (unless `body` already committed or rolled
    /// back). Deadlocks and serialization failures are retried with backoff up to
    /// `options.retry.maxAttempts` times; any other error rolls back and is rethrown.
    /// Returns once the commit is durable.
    public func transaction<T>(
        isolation: IsolationLevel = .snapshot,
        _ body: (Transaction) async throws -> T
    ) async throws -> T {
        try checkOpen()
        var attempt = 0
        while true {
            attempt += 1
            let transaction = manager.begin(isolation)
            do {
                let result = try await body(transaction)
                if !transaction.isFinished {
                    let started = ContinuousClock.now
                    try await transaction.commit()
                    observability.metrics?.recordCommit(.now - started)
                }
                return result
            } catch {
                transaction.rollback()
                guard TransactionRetryPolicy.isRetryable(error), attempt < options.retry.maxAttempts else {
                    observability.observe(error, operation: "transaction")
                    throw error
                }
                let delay = random.withLock { options.retry.delay(after: attempt, using: &$0) }
                try await Task.sleep(for: delay)
            }
        }
    }

    /// Starts a transaction driven by the caller (interactive `BEGIN … COMMIT`).
    public func begin(_ isolation: IsolationLevel = .snapshot) throws -> Transaction {
        try checkOpen()
        let transaction = manager.begin(isolation)
        return transaction
    }

    // MARK: Autocommit

    /// The latest committed value of `key`.
    public func get(_ key: [UInt8]) throws -> [UInt8]? {
        try readLatest { try store.get(key, at: $0) }
    }

    /// The latest committed values of `keys`, in order, all at one snapshot (a multi-key read is
    /// atomic), read as one batch: much faster than one `get` after another on a large store.
    public func get(_ keys: [[UInt8]]) throws -> [[UInt8]?] {
        try readLatest { try store.get(keys, at: $0) }
    }

    /// `read` at the newest snapshot, taking a newer one if garbage collection passed it meanwhile.
    @inline(__always)
    private func readLatest<T>(_ read: (UInt64) throws -> T) throws -> T {
        try checkOpen()
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try read(manager.visibleSnapshot)
            } catch let error as MantisError where error.code == .lsnUnavailable && attempt < 3 {
                continue
            } catch {
                observability.observe(error, operation: "get")
                throw error
            }
        }
    }

    /// Writes `value` under `key` in its own transaction; returns once durable.
    public func put(_ key: [UInt8], _ value: [UInt8]) async throws {
        try await transaction(isolation: .readCommitted) { try await $0.put(key, value) }
    }

    /// Deletes `key` in its own transaction; returns once durable.
    public func delete(_ key: [UInt8]) async throws {
        try await transaction(isolation: .readCommitted) { try await $0.delete(key) }
    }

    /// The latest committed pairs of `range`, ascending, at most `limit`.
    public func scan(_ range: KeyRange = .all, limit: Int? = nil) throws -> [(key: [UInt8], value: [UInt8])] {
        try checkOpen()
        // A long scan pins its snapshot, so garbage collection keeps what it reads.
        let pin = manager.pinSnapshot()
        defer { pin.release() }
        do {
            return try store.scan(range, at: pin.snapshot, limit: limit)
        } catch {
            observability.observe(error, operation: "scan")
            throw error
        }
    }
}
