import IntegrityKit
import IntegrityKitTesting
import MantisCore
import MetricsTestKit
@testable import ObservabilityKit
import Testing

@Suite("Alert manager: de-duplication, rate limiting, escalation, resolution") struct AlertManagerTests {
    func manager(rateLimit: Duration = .seconds(60), escalateAfter: Duration? = .seconds(600)) -> (AlertManager, RecordingAlertSink, ManualClock, TestMetrics) {
        let sink = RecordingAlertSink()
        let clock = ManualClock()
        let metrics = TestMetrics()
        let manager = AlertManager(sinks: [sink], options: .init(escalateAfter: escalateAfter, rateLimit: rateLimit), clock: clock, metricsFactory: metrics)
        return (manager, sink, clock, metrics)
    }

    @Test("a repeat while active is not sent again; the count travels with the next notification")
    func deduplication() async throws {
        let (manager, sink, clock, metrics) = manager()
        await manager.send(Alert(name: "disk_below_reserve", severity: .warning, message: "low"))
        await manager.send(Alert(name: "disk_below_reserve", severity: .warning, message: "still low"))
        await manager.send(Alert(name: "disk_below_reserve", severity: .warning, message: "still low"))
        #expect(sink.severities("disk_below_reserve") == [.warning])
        #expect(metrics.counterTotal(label: MantisMetrics.alertsSuppressed.name, dimensions: [("reason", "duplicate")]) == 2)
        #expect(manager.active["disk_below_reserve"]?.suppressedRepeats == 2)
        // Worse: sent at once, with the count of repeats.
        await manager.send(Alert(name: "disk_below_reserve", severity: .critical, message: "writes refused"))
        #expect(sink.severities("disk_below_reserve") == [.warning, .critical])
        #expect(sink.alerts.last?.details["suppressed_repeats"] == "2")
        clock.advance(by: .seconds(5))
        await manager.send(Alert(name: "disk_below_reserve", severity: .resolved, message: "space is back"))
        #expect(sink.severities("disk_below_reserve") == [.warning, .critical, .resolved])
        #expect(sink.alerts.last?.details["active_for"] == "5s")
        #expect(manager.active.isEmpty)
        #expect(try metrics.expectGauge(MantisMetrics.alertsActive.name, [("severity", "critical")]).lastValue == 0)
        #expect(metrics.counterTotal(label: MantisMetrics.alerts.name, dimensions: [("name", "disk_below_reserve"), ("severity", "resolved")]) == 1)
    }

    @Test("a flapping warning is held back by the rate limit and sent when the interval has passed")
    func rateLimit() async {
        let (manager, sink, clock, _) = manager(rateLimit: .seconds(60))
        await manager.send(Alert(name: "memory_pressure", severity: .warning, message: "soft limit"))
        await manager.send(Alert(name: "memory_pressure", severity: .resolved, message: "ok"))
        clock.advance(by: .seconds(10))
        await manager.send(Alert(name: "memory_pressure", severity: .warning, message: "soft limit again"))
        #expect(sink.severities("memory_pressure") == [.warning, .resolved], "the second raise is held back")
        await manager.tick()
        #expect(sink.severities("memory_pressure") == [.warning, .resolved])
        clock.advance(by: .seconds(50))
        await manager.tick()
        #expect(sink.severities("memory_pressure") == [.warning, .resolved, .warning])
        #expect(sink.alerts.last?.details["held_for"] == "50s")
        // Held and resolved before the interval ends: neither is sent.
        await manager.send(Alert(name: "memory_pressure", severity: .resolved, message: "ok"))
        clock.advance(by: .seconds(1))
        await manager.send(Alert(name: "memory_pressure", severity: .warning, message: "blip"))
        await manager.send(Alert(name: "memory_pressure", severity: .resolved, message: "ok"))
        clock.advance(by: .seconds(120))
        await manager.tick()
        #expect(sink.severities("memory_pressure") == [.warning, .resolved, .warning, .resolved])
    }

    @Test("a critical alert is never held back")
    func criticalNotHeld() async {
        let (manager, sink, clock, _) = manager(rateLimit: .seconds(60))
        await manager.send(Alert(name: "wal_failed", severity: .critical, message: "sync failed"))
        await manager.send(Alert(name: "wal_failed", severity: .resolved, message: "restarted"))
        clock.advance(by: .seconds(1))
        await manager.send(Alert(name: "wal_failed", severity: .critical, message: "sync failed again"))
        #expect(sink.severities("wal_failed") == [.critical, .resolved, .critical])
    }

    @Test("a warning that lasts past escalate_after is re-sent as critical, once")
    func escalation() async {
        let (manager, sink, clock, _) = manager(escalateAfter: .seconds(300))
        await manager.send(Alert(name: "rpo_breach", severity: .warning, message: "nothing durable for 2s"))
        clock.advance(by: .seconds(299))
        await manager.tick()
        #expect(sink.severities("rpo_breach") == [.warning])
        clock.advance(by: .seconds(1))
        await manager.tick()
        await manager.tick()
        #expect(sink.severities("rpo_breach") == [.warning, .critical])
        let escalated = sink.alerts.last!
        #expect(escalated.details["escalated_from"] == "warning")
        #expect(escalated.message.hasPrefix("escalated: warning active for 5m0s"))
        await manager.send(Alert(name: "rpo_breach", severity: .resolved, message: "durable again"))
        #expect(sink.severities("rpo_breach") == [.warning, .critical, .resolved])
        #expect(sink.alerts.last?.details["raised_severity"] == "critical")
    }

    @Test("the background ticker escalates by itself")
    func ticker() async {
        let sink = RecordingAlertSink()
        let manager = AlertManager(sinks: [sink], options: .init(escalateAfter: .milliseconds(50), rateLimit: .zero, tickInterval: .milliseconds(10)))
        manager.start()
        await manager.send(Alert(name: "long_transaction", severity: .warning, message: "old"))
        #expect(await eventually { sink.severities("long_transaction") == [.warning, .critical] })
        await manager.stop()
    }

    @Test("a resolution of an alert that was never raised is not sent")
    func unknownResolution() async {
        let (manager, sink, _, _) = manager()
        await manager.send(Alert(name: "disk_below_reserve", severity: .resolved, message: "fine"))
        #expect(sink.alerts.isEmpty)
    }

    @Test("every sink receives every notification, in order")
    func fanOut() async {
        let first = RecordingAlertSink()
        let second = RecordingAlertSink()
        let manager = AlertManager(sinks: [first, second], options: .init(rateLimit: .zero))
        #expect(manager.name == "recording+recording")
        for index in 0..<20 {
            await manager.send(Alert(name: "a\(index % 4)", severity: index % 8 < 4 ? .warning : .resolved, message: "\(index)"))
        }
        await manager.flush()
        #expect(first.alerts.map(\.message) == second.alerts.map(\.message))
        #expect(first.alerts.count == 20)
    }
}
