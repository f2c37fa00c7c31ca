import MantisCore
import Synchronization

/// An ephemeral log kept in memory (registry name `memory`): for tests and for databases
/// that need no durability. `append` returns at once; nothing survives the process.
public final class InMemoryWAL: WriteAheadLog {
    private struct State {
        var entries: [WALEntry] = []
        var firstLSN: LSN
        var nextLSN: LSN
        var closed = false
        var counters = WALStatus()
    }

    private let state: Mutex<State>
    public let maxRecordPayload: Int

    /// `maxRecordPayload`: the largest payload accepted (`recordTooLarge` past it), as a file log's
    /// `wal.max_record_size`.
    public init(firstLSN: LSN = LSN(1), maxRecordPayload: Int = .max) {
        state = Mutex(State(firstLSN: firstLSN, nextLSN: firstLSN))
        self.maxRecordPayload = maxRecordPayload
    }

    public func enqueue(_ records: [WALRecord]) throws -> LSN {
        for record in records where record.payload.count > maxRecordPayload {
            throw MantisError(.recordTooLarge, "record payload of \(record.payload.count) bytes exceeds the maximum of \(maxRecordPayload)",
                              context: ErrorContext(operation: "append"))
        }
        return try state.withLock { state in
            guard !state.closed else { throw MantisError(.closed, "the write-ahead log is closed") }
            for record in records {
                state.entries.append(WALEntry(lsn: state.nextLSN, kind: record.kind, transactionID: record.transactionID, payload: record.payload))
                state.nextLSN = state.nextLSN.next
                state.counters.appendedBytes &+= UInt64(record.payload.count)
            }
            state.counters.appendedRecords &+= UInt64(records.count)
            return state.nextLSN.previous
        }
    }

    public func waitForDurability(of lsn: LSN) async throws {}

    public func sync() async throws {}

    public func entries(from lsn: LSN) throws -> any WALCursor {
        let (entries, first) = state.withLock { ($0.entries, $0.firstLSN) }
        if lsn != .zero, lsn < first {
            throw MantisError(.lsnUnavailable, "LSN \(lsn) is no longer in the log; the oldest available is \(first)")
        }
        return ArrayCursor(entries.filter { $0.lsn >= lsn })
    }

    @discardableResult
    public func removeSegments(below lsn: LSN) throws -> Int {
        state.withLock { state in
            let before = state.entries.count
            state.entries.removeAll { $0.lsn < lsn }
            state.firstLSN = max(state.firstLSN, min(lsn, state.nextLSN))
            return before - state.entries.count
        }
    }

    public var status: WALStatus {
        state.withLock { state in
            var status = state.counters
            status.firstLSN = state.firstLSN
            status.lastLSN = state.nextLSN.previous
            status.writtenLSN = status.lastLSN
            status.durableLSN = status.lastLSN
            status.segmentCount = 1
            return status
        }
    }

    public func close() async throws {
        state.withLock { $0.closed = true }
    }
}

private final class ArrayCursor: WALCursor {
    private var entries: [WALEntry]
    private var index = 0
    init(_ entries: [WALEntry]) { self.entries = entries }
    func next() throws -> WALEntry? {
        guard index < entries.count else { return nil }
        defer { index += 1 }
        return entries[index]
    }
}
