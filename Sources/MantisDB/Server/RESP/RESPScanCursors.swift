import Synchronization

/// `SCAN` cursors: a number handed to the client, standing for the last key returned (the next
/// call continues after it). Server-wide, not per connection, so a client whose connection pool
/// sends the next `SCAN` on another connection still works. Bounded: the oldest cursors are
/// forgotten past `capacity` entries or `maxBytes` of keys (a forgotten cursor gets
/// `ERR invalid cursor`). Numbers are 62-bit decimals (fit redis-cli's `strtoull`), a keyed hash
/// of the last key, so registering the same position again (a retried transaction's `SCAN`, two
/// clients at the same place) returns the cursor it already has and takes no new entry.
final class RESPScanCursors: Sendable {
    private struct State {
        var lastKeys: [UInt64: [UInt8]] = [:]
        var order: [UInt64] = []
        var head = 0
        var bytes = 0
    }

    let capacity: Int
    let maxBytes: Int
    private let state = Mutex(State())

    init(capacity: Int = 16_384, maxBytes: Int = 64 << 20) {
        self.capacity = capacity
        self.maxBytes = maxBytes
    }

    /// A cursor continuing after `lastKey`: the one registered for it already, if still known.
    func register(after lastKey: [UInt8]) -> UInt64 {
        var hasher = Hasher()  // seeded per process
        hasher.combine(lastKey)
        var cursor = max(1, UInt64(truncatingIfNeeded: hasher.finalize()) & ((1 << 62) - 1))
        return state.withLock { state in
            if let known = state.lastKeys[cursor] {
                if known == lastKey { return cursor }
                // Two keys, one hash: this one gets a number of its own.
                repeat { cursor = UInt64.random(in: 1...((1 << 62) - 1)) } while state.lastKeys[cursor] != nil
            }
            state.lastKeys[cursor] = lastKey
            state.order.append(cursor)
            state.bytes += lastKey.count
            while state.lastKeys.count > capacity || state.bytes > maxBytes, state.head < state.order.count {
                let oldest = state.order[state.head]
                state.head += 1
                if let key = state.lastKeys.removeValue(forKey: oldest) { state.bytes -= key.count }
            }
            if state.head > 4096, state.head * 2 > state.order.count {
                state.order.removeFirst(state.head)
                state.head = 0
            }
            return cursor
        }
    }

    /// Cursors known.
    var count: Int { state.withLock { $0.lastKeys.count } }

    /// The last key returned before `cursor`, nil if unknown (or forgotten).
    func lastKey(of cursor: UInt64) -> [UInt8]? {
        state.withLock { $0.lastKeys[cursor] }
    }
}
