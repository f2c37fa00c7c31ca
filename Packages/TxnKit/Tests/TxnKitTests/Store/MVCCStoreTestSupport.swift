import Foundation
import MantisCore
import Synchronization
import TxnKit

/// Helpers of the MVCC store tests (namespaced: other suites share this test module).
enum StoreTestSupport {
    /// `"k"` + a zero-padded decimal number: keys sort like their numbers.
    static func key(_ number: Int, width: Int = 6) -> [UInt8] {
        let digits = String(number)
        return Array("k" + String(repeating: "0", count: max(0, width - digits.count)) + digits).map { $0.asciiValue! }
    }

    /// A number zero-padded to six digits, as in `key`.
    static func padded(_ number: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    static func text(_ bytes: [UInt8]?) -> String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

    static func encode(_ amount: Int64) -> [UInt8] {
        withUnsafeBytes(of: amount.littleEndian) { Array($0) }
    }

    static func decode(_ bytes: [UInt8]) -> Int64 {
        precondition(bytes.count == 8)
        return bytes.withUnsafeBytes { Int64(littleEndian: $0.loadUnaligned(as: Int64.self)) }
    }

    /// Runs each body on its own thread (so they truly overlap even when the cooperative pool is
    /// small) and waits for all of them.
    static func runOnThreads(_ bodies: [@Sendable () -> Void]) {
        let group = DispatchGroup()
        for body in bodies {
            group.enter()
            let thread = Thread {
                body()
                group.leave()
            }
            thread.start()
        }
        group.wait()
    }
}

/// Seeded draws on top of MantisCore's `SplitMix64` (own arithmetic: seeds replay forever).
struct StoreTestRandom {
    var generator: SplitMix64

    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0)
        return Int(generator.next() % UInt64(bound))
    }

    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }

    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    }
}

/// A flag and counters shared between test threads.
final class StoreTestFlag: Sendable {
    private let raised = Atomic<Bool>(false)
    func raise() { raised.store(true, ordering: .releasing) }
    var isRaised: Bool { raised.load(ordering: .acquiring) }
}

/// A value guarded by an `NSLock` (pthread-based, so ThreadSanitizer understands it, unlike
/// `Synchronization.Mutex` on Linux).
final class StoreTestLocked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

/// A miniature transaction manager for concurrency tests: hands out strictly increasing commit
/// timestamps, tracks which are installed, and exposes the newest snapshot whose commits are
/// all installed (installs themselves run outside its lock, so they arrive out of order).
/// Readers register their snapshots so garbage collection spares them.
final class StoreTestCommitClock: Sendable {
    private struct State {
        var nextCommit: UInt64 = 1
        var stable: UInt64 = 0
        var installed: Set<UInt64> = []
        var active: [UInt64: Int] = [:]
    }

    private let state = StoreTestLocked(State())

    init(stable: UInt64 = 0) {
        state.withLock {
            $0.stable = stable
            $0.nextCommit = stable + 1
        }
    }

    func allocate() -> UInt64 {
        state.withLock { state in
            defer { state.nextCommit += 1 }
            return state.nextCommit
        }
    }

    func installed(_ commit: UInt64) {
        state.withLock { state in
            state.installed.insert(commit)
            while state.installed.remove(state.stable + 1) != nil { state.stable += 1 }
        }
    }

    /// Registers and returns the newest stable snapshot.
    func beginRead() -> UInt64 {
        state.withLock { state in
            state.active[state.stable, default: 0] += 1
            return state.stable
        }
    }

    func endRead(_ snapshot: UInt64) {
        state.withLock { state in
            state.active[snapshot]! -= 1
            if state.active[snapshot] == 0 { state.active[snapshot] = nil }
        }
    }

    /// The oldest snapshot a reader may still use.
    var oldestActive: UInt64 {
        state.withLock { state in state.active.keys.min() ?? state.stable }
    }

    var stable: UInt64 { state.withLock { $0.stable } }
}
