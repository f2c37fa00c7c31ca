import NIOCore
import Synchronization

/// The open connections of a server: admission against `maxConnections`, `CLIENT LIST`, and
/// the graceful close of all of them at shutdown.
final class RESPConnectionRegistry: Sendable {
    struct Entry: Sendable {
        let channel: any Channel
        let record: RESPClientRecord
    }

    private struct State {
        var entries: [UInt64: Entry] = [:]
        var accepting = true
        var drained: [CheckedContinuation<Void, Never>] = []
    }

    let maxConnections: Int
    private let state = Mutex(State())

    init(maxConnections: Int) {
        self.maxConnections = maxConnections
    }

    /// Admits a connection; false if the server is full or shutting down.
    func register(_ channel: any Channel, record: RESPClientRecord) -> Bool {
        state.withLock { state in
            guard state.accepting, state.entries.count < maxConnections else { return false }
            state.entries[record.id] = Entry(channel: channel, record: record)
            return true
        }
    }

    func unregister(_ id: UInt64) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.entries[id] = nil
            guard state.entries.isEmpty else { return [] }
            defer { state.drained = [] }
            return state.drained
        }
        for waiter in waiters { waiter.resume() }
    }

    var count: Int { state.withLock { $0.entries.count } }

    var records: [RESPClientRecord] {
        state.withLock { $0.entries.values.map(\.record) }.sorted { $0.id < $1.id }
    }

    /// Stops admitting and asks every connection to close once its in-flight command is done.
    func closeAll() {
        let channels = state.withLock { state -> [any Channel] in
            state.accepting = false
            return state.entries.values.map(\.channel)
        }
        for channel in channels {
            channel.pipeline.fireUserInboundEventTriggered(RESPShutdownEvent())
        }
    }

    /// Closes every connection now (after the grace period).
    func forceCloseAll() {
        let channels = state.withLock { $0.entries.values.map(\.channel) }
        for channel in channels { channel.close(promise: nil) }
    }

    /// Returns once no connection is open.
    func waitUntilEmpty() async {
        await withCheckedContinuation { continuation in
            let empty = state.withLock { state -> Bool in
                if state.entries.isEmpty { return true }
                state.drained.append(continuation)
                return false
            }
            if empty { continuation.resume() }
        }
    }
}

/// Sent through a connection's pipeline at shutdown: finish the command in flight, then close.
struct RESPShutdownEvent: Sendable {}
