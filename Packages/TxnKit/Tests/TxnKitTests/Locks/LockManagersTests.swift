import MantisCore
import Testing
@testable import TxnKit

@Suite("Lock managers by name")
struct LockManagersTests {
    @Test("every registry name builds the manager of that policy")
    func names() throws {
        #expect(LockManagers.names == ["wait-for-graph", "wait-die", "wound-wait", "timeout"])
        for name in LockManagers.names {
            let manager = try LockManagers.named(name, defaultTimeout: .seconds(1))
            #expect(manager.policyName == name)
        }
        #expect(try LockManagers.named("wait-for-graph", defaultTimeout: .seconds(1)) is WaitForGraphLockManager)
        #expect(try LockManagers.named("wait-die", defaultTimeout: .seconds(1)) is WaitDieLockManager)
        #expect(try LockManagers.named("wound-wait", defaultTimeout: .seconds(1)) is WoundWaitLockManager)
        #expect(try LockManagers.named("timeout", defaultTimeout: .seconds(1)) is TimeoutLockManager)
    }

    @Test("an unknown name is a configuration error listing the valid names")
    func unknownName() {
        do {
            _ = try LockManagers.named("optimistic", defaultTimeout: .seconds(1))
            Issue.record("expected an error")
        } catch let error as MantisError {
            #expect(error.code == .invalidConfiguration)
            #expect(error.message.contains("optimistic"))
            for name in LockManagers.names { #expect(error.message.contains(name)) }
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("the default timeout bounds a request that passes none", arguments: LockTesting.policies)
    func defaultTimeout(policy: String) async throws {
        let manager = try LockTesting.manager(policy, defaultTimeout: .milliseconds(30))
        let key = LockTesting.key("a")
        let ids = LockTesting.chain(2, for: policy)
        try await manager.lock(key, mode: .exclusive, for: ids[0], timeout: nil)
        await #expect(throws: MantisError.self) {
            try await manager.lock(key, mode: .exclusive, for: ids[1], timeout: nil)
        }
        #expect(LockTesting.waiters(of: key, in: manager).isEmpty)
        manager.releaseAll(for: ids[0])
    }
}
