import MantisCore
import Testing
@testable import TxnKit

@Suite("Deadlocks under each policy")
struct DeadlockTests {
    typealias T = LockTesting

    struct Case: Sendable, CustomTestStringConvertible {
        var ids: [TransactionID]
        var order: [Int]
        var victims: Set<TransactionID>
        /// For wait-for-graph: the cycle as the error names it.
        var cycle: String = ""
        var testDescription: String { "\(ids) in order \(order)" }
    }

    /// Asserts what holds under every policy: the victims, every survivor got its lock only
    /// after a victim released, and nothing is left in the table.
    func checkResolution(_ outcome: DeadlockScenario.Outcome, _ scenario: Case, _ manager: any LockManager) {
        #expect(outcome.victims == scenario.victims)
        #expect(Set(outcome.granted) == Set(scenario.ids).subtracting(scenario.victims))
        let firstRelease = scenario.victims.compactMap { outcome.events.firstIndex(of: "releasing \($0)") }.min()
        for survivor in outcome.granted {
            let granted = outcome.events.firstIndex(of: "granted \(survivor)")
            #expect(granted != nil && firstRelease != nil && granted! > firstRelease!, "\(survivor) proceeded before a victim released: \(outcome.events)")
        }
        #expect(T.tableIsEmpty(manager))
    }

    // MARK: wait-for-graph

    static let graphCases: [Case] = [
        // T5 waits for T7; T7 closes the cycle and is itself the youngest.
        Case(ids: [5, 7], order: [0, 1], victims: [7], cycle: "T7 → T5 → T7"),
        // T7 waits for T5; T5 closes the cycle: the waiting T7 is aborted.
        Case(ids: [5, 7], order: [1, 0], victims: [7], cycle: "T5 → T7 → T5"),
        Case(ids: [1, 2, 3], order: [0, 1, 2], victims: [3], cycle: "T3 → T1 → T2 → T3"),
        Case(ids: [1, 2, 3], order: [2, 1, 0], victims: [3], cycle: "T1 → T2 → T3 → T1"),
        Case(ids: [1, 2, 3], order: [2, 0, 1], victims: [3], cycle: "T2 → T3 → T1 → T2"),
        Case(ids: [4, 9, 6], order: [0, 2, 1], victims: [9], cycle: "T9 → T6 → T4 → T9"),
    ]

    @Test("wait-for-graph: the youngest in the cycle is aborted within 100 ms, naming the cycle", arguments: graphCases)
    func waitForGraph(scenario: Case) async throws {
        let manager = WaitForGraphLockManager(defaultTimeout: .seconds(30))
        let outcome = try await DeadlockScenario(ids: scenario.ids, order: scenario.order).run(manager)
        checkResolution(outcome, scenario, manager)
        let victim = try #require(scenario.victims.first)
        let error = try #require(outcome.error(of: victim))
        #expect(error.code == .deadlock)
        #expect(error.message == "deadlock: \(scenario.cycle); \(victim) (youngest) aborted")
        #expect(error.context.metadata["transaction"] == victim.description)
        #expect(error.context.key != nil)
        #expect(outcome.failures[victim]?.wasAborted == true)
        #expect(!manager.isAborted(victim))  // reset by releaseAll
        let latency = try #require(outcome.latency(of: victim))
        #expect(latency < .milliseconds(100), "detected after \(latency)")
    }

    @Test("wait-for-graph: an aborted victim is refused until releaseAll, then served again")
    func victimIsRefusedUntilRelease() async throws {
        let manager = WaitForGraphLockManager(defaultTimeout: .seconds(30))
        let (a, b) = (T.key("a"), T.key("b"))
        try await manager.lock(a, mode: .exclusive, for: 5, timeout: nil)
        try await manager.lock(b, mode: .exclusive, for: 7, timeout: nil)
        let victimWait = T.request(manager, a, .exclusive, for: 7)
        await T.awaitQueued(7, on: a, in: manager)
        let survivor = T.request(manager, b, .exclusive, for: 5)
        #expect(await T.mantisError(of: victimWait)?.code == .deadlock)
        #expect(manager.isAborted(7))
        #expect(!manager.isAborted(5))
        #expect(manager.snapshot().waitsFor == [5: [7]])
        // Even a re-entrant request fails while the victim is marked aborted.
        let refused = await #expect(throws: MantisError.self) {
            try await manager.lock(b, mode: .shared, for: 7, timeout: nil)
        }
        #expect(refused?.code == .deadlock)
        #expect(refused?.context.key == b)
        manager.releaseAll(for: 7)
        try await survivor.value
        #expect(!manager.isAborted(7))
        manager.releaseAll(for: 5)
        try await manager.lock(a, mode: .exclusive, for: 7, timeout: .zero)
        manager.releaseAll(for: 7)
        #expect(T.tableIsEmpty(manager))
    }

    @Test("wait-for-graph: a request that closes two cycles at once costs the youngest of each")
    func twoCyclesAtOnce() async throws {
        let manager = WaitForGraphLockManager(defaultTimeout: .seconds(30))
        let (k0, k1, k2) = (T.key("k0"), T.key("k1"), T.key("k2"))
        try await manager.lock(k0, mode: .shared, for: 2, timeout: nil)
        try await manager.lock(k0, mode: .shared, for: 3, timeout: nil)
        try await manager.lock(k1, mode: .exclusive, for: 1, timeout: nil)
        try await manager.lock(k2, mode: .exclusive, for: 1, timeout: nil)
        let wait2 = T.request(manager, k1, .shared, for: 2)
        await T.awaitQueued(2, on: k1, in: manager)
        let wait3 = T.request(manager, k2, .shared, for: 3)
        await T.awaitQueued(3, on: k2, in: manager)
        // T1 waits for both readers of k0, each of which waits for T1.
        let closing = T.request(manager, k0, .exclusive, for: 1)
        let error2 = try #require(await T.mantisError(of: wait2))
        let error3 = try #require(await T.mantisError(of: wait3))
        #expect(Set([error2.message, error3.message]) == [
            "deadlock: T1 → T2 → T1; T2 (youngest) aborted",
            "deadlock: T1 → T3 → T1; T3 (youngest) aborted",
        ])
        #expect(manager.isAborted(2) && manager.isAborted(3) && !manager.isAborted(1))
        manager.releaseAll(for: 2)
        #expect(T.isQueued(1, on: k0, in: manager))
        manager.releaseAll(for: 3)
        try await closing.value
        manager.releaseAll(for: 1)
        #expect(T.tableIsEmpty(manager))
    }

    @Test("two concurrent S→X upgraders: the second one resolves per policy", arguments: LockTesting.policies)
    func concurrentUpgrades(policy: String) async throws {
        let manager = try T.manager(policy, defaultTimeout: .seconds(30))
        let key = T.key("a")
        try await manager.lock(key, mode: .shared, for: 1, timeout: nil)
        try await manager.lock(key, mode: .shared, for: 2, timeout: nil)
        let older = T.request(manager, key, .exclusive, for: 1)
        await T.awaitQueued(1, on: key, in: manager)
        let youngerTimeout: Duration? = policy == TimeoutLockManager.policyName ? .milliseconds(80) : nil
        let younger = T.request(manager, key, .exclusive, for: 2, timeout: youngerTimeout)
        let error = try #require(await T.mantisError(of: younger))
        #expect(error.code == (policy == TimeoutLockManager.policyName ? .lockTimeout : .deadlock))
        manager.releaseAll(for: 2)
        try await older.value
        #expect(T.holders(of: key, in: manager) == [.init(transaction: 1, mode: .exclusive)])
        manager.releaseAll(for: 1)
        #expect(T.tableIsEmpty(manager))
    }

    // MARK: wait-die

    static let waitDieCases: [Case] = [
        Case(ids: [5, 7], order: [0, 1], victims: [7]),
        Case(ids: [5, 7], order: [1, 0], victims: [7]),
        Case(ids: [1, 2, 3], order: [0, 1, 2], victims: [3]),
        Case(ids: [1, 2, 3], order: [2, 1, 0], victims: [3]),
        Case(ids: [1, 2, 3], order: [1, 2, 0], victims: [3]),
    ]

    @Test("wait-die: the younger requester dies at once, the older ones wait and proceed", arguments: waitDieCases)
    func waitDie(scenario: Case) async throws {
        let manager = WaitDieLockManager(defaultTimeout: .seconds(30))
        let outcome = try await DeadlockScenario(ids: scenario.ids, order: scenario.order).run(manager)
        checkResolution(outcome, scenario, manager)
        let victim = try #require(scenario.victims.first)
        let error = try #require(outcome.error(of: victim))
        #expect(error.code == .deadlock)
        #expect(error.message.contains("wait-die"))
        #expect(error.message.contains("\(victim) (younger) dies"))
        #expect(error.context.metadata["transaction"] == victim.description)
        #expect(outcome.failures[victim]?.wasAborted == true)
        #expect(try #require(outcome.latency(of: victim)) < .milliseconds(100))
    }

    // MARK: wound-wait

    static let woundWaitCases: [Case] = [
        // T5 wounds the holder T7 (not waiting); T7's own request then fails at once.
        Case(ids: [5, 7], order: [0, 1], victims: [7]),
        // T7 waits for T5; T5 wounds it and T7's wait fails.
        Case(ids: [5, 7], order: [1, 0], victims: [7]),
        Case(ids: [1, 2, 3], order: [0, 1, 2], victims: [2]),
        Case(ids: [1, 2, 3], order: [2, 1, 0], victims: [3]),
        Case(ids: [1, 2, 3], order: [2, 0, 1], victims: [2]),
    ]

    @Test("wound-wait: older requesters wound younger holders, survivors proceed", arguments: woundWaitCases)
    func woundWait(scenario: Case) async throws {
        let manager = WoundWaitLockManager(defaultTimeout: .seconds(30))
        let outcome = try await DeadlockScenario(ids: scenario.ids, order: scenario.order).run(manager)
        checkResolution(outcome, scenario, manager)
        for victim in scenario.victims {
            let error = try #require(outcome.error(of: victim))
            #expect(error.code == .deadlock)
            #expect(error.message.contains("\(victim) wounded by older"))
            #expect(error.context.metadata["transaction"] == victim.description)
            #expect(outcome.failures[victim]?.wasAborted == true)
            #expect(try #require(outcome.latency(of: victim)) < .milliseconds(100))
        }
    }

    // MARK: timeout

    static let timeoutCases: [Case] = [
        Case(ids: [5, 7], order: [0, 1], victims: [7]),
        Case(ids: [1, 2, 3], order: [0, 1, 2], victims: [3]),
        Case(ids: [1, 2, 3], order: [2, 1, 0], victims: [1]),
    ]

    @Test("timeout: no detection; the cycle ends when the closing request times out", arguments: timeoutCases)
    func timeoutOnly(scenario: Case) async throws {
        let manager = TimeoutLockManager(defaultTimeout: .seconds(30))
        let victim = try #require(scenario.victims.first)
        var run = DeadlockScenario(ids: scenario.ids, order: scenario.order)
        run.timeouts = [victim: .milliseconds(150)]
        let outcome = try await run.run(manager)
        checkResolution(outcome, scenario, manager)
        let error = try #require(outcome.error(of: victim))
        #expect(error.code == .lockTimeout)
        #expect(outcome.failures[victim]?.wasAborted == false)
        #expect(try #require(outcome.latency(of: victim)) >= .milliseconds(140))
    }
}
