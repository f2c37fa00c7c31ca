import Dispatch
import Glibc
import MantisCore
@testable import MantisDB
import NIOPosix
import Synchronization
import Testing

/// The event loop waits out at most a short `fdatasync`: on a fresh log, or once a round was
/// slow, a write waiting for durability suspends and the loop serves its other connections
/// meanwhile.
@Suite("RESP server: the event loop and the log's syncs") struct RESPEventLoopTests {
    @Test("on a fresh log, while a SET's fdatasync is stalled, another connection on the same (only) event loop is served; the SET is acknowledged after the sync")
    func loopServesWhileSyncStalls() async throws {
        let gate = SyncGate()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        try await RESPTestHarness.with(configureDatabase: { options in
            options.wal.onSync = { _, _ in gate.passIfArmed() }  // in the thread that synced
        }, eventLoopGroup: group) { harness in
            let writer = try await harness.client()
            let other = try await harness.client()
            var visibleEarly: [UInt8]?
            let reply = try await Self.getWhileSyncHeld(writer: writer, other: other, gate: gate) {
                visibleEarly = try harness.database.get(Array("k".utf8))
            }
            #expect(reply == .bulk("1"), "the event loop was blocked while the log synced")
            #expect(visibleEarly == nil, "the SET was visible before its sync returned")
            #expect(try await writer.read() == .simpleString("OK"))
            #expect(try harness.database.get(Array("k".utf8)) == Array("v".utf8))
            await writer.close()
            await other.close()
        }
        try await group.shutdownGracefully()
    }
}

extension RESPEventLoopTests {
    @Test("while rounds are short the loop leads a lone SET's sync itself; after a long round the log's thread does, and the loop serves another connection during a stalled sync")
    func loopLeadsOnlyWhileRoundsAreShort() async throws {
        let gate = SyncGate()
        let onLoop = Mutex<[Bool]>([])  // per sync: did it run on the event loop's thread
        let holdNext = Atomic<Bool>(false)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        try await RESPTestHarness.with(configureDatabase: { options in
            options.wal.shortRoundBound = .milliseconds(200)
            options.wal.onSync = { _, _ in
                onLoop.withLock { $0.append(MultiThreadedEventLoopGroup.currentEventLoop != nil) }
                if holdNext.exchange(false, ordering: .relaxed) { usleep(300_000) }  // a long round
                gate.passIfArmed()
            }
        }, eventLoopGroup: group) { harness in
            let writer = try await harness.client()
            let other = try await harness.client()
            // SETs one at a time until a sync runs on the loop: not before 16 short rounds (a slow
            // sync on a busy machine only makes that take longer).
            for index in 0..<200 {
                #expect(try await writer.call("SET", "k\(index)", "v") == .simpleString("OK"))
                if onLoop.withLock({ $0.last == true }) { break }
            }
            let fast = onLoop.withLock { $0 }
            #expect(fast.last == true && fast.filter { $0 }.count == 1 && fast.count > 16,
                    "the loop must lead once 16 rounds were short, and not before: \(fast)")

            holdNext.store(true, ordering: .relaxed)
            #expect(try await writer.call("SET", "slow", "1") == .simpleString("OK"))
            onLoop.withLock { $0.removeAll() }
            let reply = try await Self.getWhileSyncHeld(writer: writer, other: other, gate: gate)
            #expect(reply == .bulk("1"), "the event loop was blocked by a sync right after a long round")
            #expect(try await writer.read() == .simpleString("OK"))
            let after = onLoop.withLock { $0 }
            #expect(!after.isEmpty && after.allSatisfy { !$0 }, "a round after the long one ran on the loop: \(after)")
            await writer.close()
            await other.close()
        }
        try await group.shutdownGracefully()
    }

    @Test("a write run larger than the coalescer's loop bound, or with KEYS, commits on the pool: acknowledged and read back whole")
    func largeRunCommitsOffTheLoop() async throws {
        try await RESPTestHarness.with { harness in
            let client = try await harness.client()
            let big = String(repeating: "x", count: 600 << 10)
            let words = ["MSET"] + (0..<3).flatMap { ["big\($0)", big + "\($0)"] }
            #expect(3 * (600 << 10) > RESPCommitCoalescer.maxLoopBytes)
            try await client.send(command: words)
            #expect(try await client.read() == .simpleString("OK"))
            for index in 0..<3 {
                #expect(try await client.call("STRLEN", "big\(index)") == .integer(Int64((600 << 10) + 1)))
            }
            // A run with KEYS (which may walk the keyspace) also commits on the pool.
            try await client.send(RESPTestClient.encode(["SET", "big3", "x"]) + RESPTestClient.encode(["KEYS", "big*"]))
            #expect(try await client.read() == .simpleString("OK"))
            let keys = try await client.read()
            #expect(keys == .array(["big0", "big1", "big2", "big3"].map { .bulk($0) }) || keys == .set(["big0", "big1", "big2", "big3"].map { .bulk($0) }))
            await client.close()
        }
    }
}

extension RESPEventLoopTests {
    /// `other` sets `before`; then `writer` sends `SET k v`, whose `fdatasync` `gate` holds while
    /// `other` (on the same loop) asks for `before` and `whileHeld` runs. Returns `other`'s reply,
    /// nil if the loop did not answer within 10 s; the sync is released before returning.
    static func getWhileSyncHeld(writer: RESPTestClient, other: RESPTestClient, gate: SyncGate,
                                 whileHeld: () throws -> Void = {}) async throws -> RESPValue? {
        #expect(try await other.call("SET", "before", "1") == .simpleString("OK"))
        gate.arm()
        try await writer.send(command: ["SET", "k", "v"])
        #expect(gate.waitUntilEntered(seconds: 10), "the SET never reached its fdatasync")
        defer { gate.release() }
        try await other.send(command: ["GET", "before"])
        let reply = try? await other.read(timeout: .seconds(10))
        try whileHeld()
        return reply
    }
}

/// Holds the first `fdatasync` after `arm()` until `release()`.
final class SyncGate: Sendable {
    private let state = Mutex((armed: false, entered: false))
    private let entered = DispatchSemaphore(value: 0)
    private let released = DispatchSemaphore(value: 0)

    func arm() { state.withLock { $0.armed = true } }

    func passIfArmed() {
        let hold = state.withLock { state -> Bool in
            guard state.armed, !state.entered else { return false }
            state.entered = true
            return true
        }
        guard hold else { return }
        entered.signal()
        released.wait()
    }

    func waitUntilEntered(seconds: Int) -> Bool {
        entered.wait(timeout: .now() + .seconds(seconds)) == .success
    }

    func release() { released.signal() }
}
