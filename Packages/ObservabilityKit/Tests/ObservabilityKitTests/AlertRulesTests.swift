import IntegrityKit
import IntegrityKitTesting
import MantisCore
@testable import ObservabilityKit
import Synchronization
import Testing

@Suite("Alert rules over sampled state") struct AlertRulesTests {
    final class Inputs: Sendable {
        let value = Mutex(AlertRuleInputs(wal: WALStatus()))
        func update(_ body: (inout AlertRuleInputs) -> Void) { value.withLock { body(&$0) } }
    }

    func rules(_ options: AlertRules.Options = .init(slowFsync: .milliseconds(100), longTransaction: .seconds(30))) -> (AlertRules, Inputs, RecordingAlertSink, ManualClock) {
        let inputs = Inputs()
        let sink = RecordingAlertSink()
        let clock = ManualClock()
        let rules = AlertRules(options: options, alerts: sink, clock: clock) { inputs.value.withLock { $0 } }
        return (rules, inputs, sink, clock)
    }

    @Test("wal_failed is critical while the log has failed")
    func walFailed() async {
        let (rules, inputs, sink, _) = rules()
        await rules.evaluate()
        #expect(sink.alerts.isEmpty)
        inputs.update { $0.wal?.failure = "[sync_failed] fdatasync failed (EIO)" }
        await rules.evaluate()
        await rules.evaluate()
        #expect(sink.severities("wal_failed") == [.critical])
        #expect(sink.alerts(named: "wal_failed").first?.details["failure"]?.contains("EIO") == true)
    }

    @Test("slow_fsync: a completed sync over the limit, resolved by fast ones")
    func slowSync() async {
        let (rules, inputs, sink, _) = rules()
        inputs.update { $0.wal?.syncCount = 1; $0.wal?.syncNanosecondsTotal = 1_000_000; $0.wal?.lastSyncNanoseconds = 1_000_000 }
        await rules.evaluate()
        inputs.update { $0.wal?.syncCount = 2; $0.wal?.syncNanosecondsTotal = 251_000_000; $0.wal?.lastSyncNanoseconds = 250_000_000 }
        await rules.evaluate()
        #expect(sink.severities("slow_fsync") == [.warning])
        #expect(sink.alerts(named: "slow_fsync").first?.message.contains("250ms") == true)
        inputs.update { $0.wal?.syncCount = 5; $0.wal?.syncNanosecondsTotal = 254_000_000; $0.wal?.lastSyncNanoseconds = 1_000_000 }
        await rules.evaluate()
        #expect(sink.severities("slow_fsync") == [.warning, .resolved])
    }

    @Test("slow_fsync: a slow sync that completed before the first evaluation is not missed")
    func slowBeforeFirstLook() async {
        let (rules, inputs, sink, _) = rules()
        inputs.update { $0.wal?.syncCount = 1; $0.wal?.syncNanosecondsTotal = 300_000_000; $0.wal?.lastSyncNanoseconds = 300_000_000 }
        await rules.evaluate()
        #expect(sink.severities("slow_fsync") == [.warning])
    }

    @Test("slow_fsync: records waiting with no sync completing (a hung fdatasync)")
    func stalledSync() async {
        let (rules, inputs, sink, clock) = rules()
        inputs.update { $0.wal?.lastLSN = 10; $0.wal?.durableLSN = 4; $0.wal?.syncCount = 3 }
        await rules.evaluate()
        clock.advance(by: .milliseconds(60))
        await rules.evaluate()
        #expect(sink.alerts.isEmpty)
        clock.advance(by: .milliseconds(60))
        await rules.evaluate()
        #expect(sink.severities("slow_fsync") == [.warning])
        #expect(sink.alerts.first?.message.contains("no log sync has completed") == true)
        inputs.update { $0.wal?.durableLSN = 10; $0.wal?.syncCount = 4; $0.wal?.syncNanosecondsTotal = 1_000; $0.wal?.lastSyncNanoseconds = 1_000 }
        await rules.evaluate()
        #expect(sink.severities("slow_fsync") == [.warning, .resolved])
    }

    @Test("long_transaction: the oldest transaction past the limit")
    func longTransaction() async {
        let (rules, inputs, sink, _) = rules()
        inputs.update { $0.oldestTransaction = RunningTransaction(id: 42, age: .seconds(10)) }
        await rules.evaluate()
        #expect(sink.alerts.isEmpty)
        inputs.update { $0.oldestTransaction = RunningTransaction(id: 42, age: .seconds(31)) }
        await rules.evaluate()
        #expect(sink.severities("long_transaction") == [.warning])
        #expect(sink.alerts.first?.details["transaction"] == "42")
        inputs.update { $0.oldestTransaction = nil }
        await rules.evaluate()
        #expect(sink.severities("long_transaction") == [.warning, .resolved])
        #expect(rules.raised.isEmpty)
    }

    @Test("no log: only the transaction rule is evaluated")
    func noLog() async {
        let (rules, inputs, sink, _) = rules()
        inputs.update { $0.wal = nil }
        await rules.evaluate()
        #expect(sink.alerts.isEmpty)
    }
}
