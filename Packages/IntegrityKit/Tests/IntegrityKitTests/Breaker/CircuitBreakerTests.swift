import IntegrityKit
import IntegrityKitTesting
import MantisCore
import Synchronization
import Testing

@Suite struct CircuitBreakerTests {
    struct Boom: Error {}

    final class Recorder: Sendable {
        let transitions = Mutex<[String]>([])
        let calls = Atomic<Int>(0)
        func record(_ transition: CircuitBreakerTransition) {
            transitions.withLock { $0.append("\(transition.from.name)→\(transition.to.name)") }
        }
        var list: [String] { transitions.withLock { $0 } }
        var callCount: Int { calls.load(ordering: .relaxed) }
    }

    func make(threshold: Int = 3, coolDown: Duration = .seconds(10), successes: Int = 1, probes: Int = 1)
        -> (CircuitBreaker, ManualClock, Recorder) {
        let clock = ManualClock()
        let recorder = Recorder()
        let breaker = CircuitBreaker(
            name: "archive",
            options: CircuitBreakerOptions(failureThreshold: threshold, coolDown: coolDown, successesToClose: successes, maxConcurrentProbes: probes),
            clock: clock, onTransition: { recorder.record($0) })
        return (breaker, clock, recorder)
    }

    func fail(_ breaker: CircuitBreaker, _ recorder: Recorder) async {
        _ = try? await breaker.run { () async throws -> Int in
            recorder.calls.add(1, ordering: .relaxed)
            throw Boom()
        }
    }

    func succeed(_ breaker: CircuitBreaker, _ recorder: Recorder) async throws {
        _ = try await breaker.run { () async throws -> Int in
            recorder.calls.add(1, ordering: .relaxed)
            return 1
        }
    }

    @Test func closedCountsConsecutiveFailuresAndASuccessResets() async throws {
        let (breaker, _, recorder) = make(threshold: 3)
        await fail(breaker, recorder)
        await fail(breaker, recorder)
        #expect(breaker.currentState == .closed(failures: 2))
        try await succeed(breaker, recorder)
        #expect(breaker.currentState == .closed(failures: 0))
        await fail(breaker, recorder)
        await fail(breaker, recorder)
        #expect(breaker.currentState == .closed(failures: 2))
        #expect(recorder.list.isEmpty)
    }

    @Test func thresholdOpensAndOpenRefusesWithoutCalling() async throws {
        let (breaker, clock, recorder) = make(threshold: 3, coolDown: .seconds(10))
        for _ in 0..<3 { await fail(breaker, recorder) }
        #expect(breaker.currentState == .open(until: clock.now() + .seconds(10)))
        #expect(recorder.list == ["closed→open"])
        let callsBefore = recorder.callCount
        let error = try await #require(throws: MantisError.self) { try await succeed(breaker, recorder) }
        #expect(error.code == .circuitOpen)
        #expect(error.context.metadata["retry_after_ms"] == "10000")
        #expect(error.message.contains("archive"))
        #expect(recorder.callCount == callsBefore, "an open breaker must not call the operation")
        clock.advance(by: .seconds(9))
        await #expect(throws: MantisError.self) { try await succeed(breaker, recorder) }
        #expect(recorder.callCount == callsBefore)
        #expect(breaker.counters.refused == 2)
    }

    @Test func coolDownLetsAProbeThroughAndSuccessCloses() async throws {
        let (breaker, clock, recorder) = make(threshold: 1, coolDown: .seconds(5))
        await fail(breaker, recorder)
        clock.advance(by: .seconds(5))
        try await succeed(breaker, recorder)
        #expect(breaker.currentState == .closed(failures: 0))
        #expect(recorder.list == ["closed→open", "open→half-open", "half-open→closed"])
    }

    @Test func failedProbeReopensForAFreshCoolDown() async throws {
        let (breaker, clock, recorder) = make(threshold: 1, coolDown: .seconds(5))
        await fail(breaker, recorder)
        clock.advance(by: .seconds(6))
        await fail(breaker, recorder)
        #expect(breaker.currentState == .open(until: clock.now() + .seconds(5)))
        #expect(recorder.list == ["closed→open", "open→half-open", "half-open→open"])
        clock.advance(by: .seconds(4))
        await #expect(throws: MantisError.self) { try await succeed(breaker, recorder) }
        clock.advance(by: .seconds(1))
        try await succeed(breaker, recorder)
        #expect(breaker.currentState == .closed(failures: 0))
        #expect(breaker.counters.opened == 2)
    }

    @Test func halfOpenAdmitsOnlyTheConfiguredProbes() async throws {
        let (breaker, clock, recorder) = make(threshold: 1, coolDown: .seconds(1), successes: 2, probes: 1)
        await fail(breaker, recorder)
        clock.advance(by: .seconds(1))
        // A probe that is still running: a second caller is refused.
        let gate = AsyncStream<Void>.makeStream()
        let started = AsyncStream<Void>.makeStream()
        let probe = Task {
            try await breaker.run { () async throws -> Int in
                started.continuation.yield()
                for await _ in gate.stream { break }
                return 1
            }
        }
        for await _ in started.stream { break }
        #expect(breaker.currentState == .halfOpen(probes: 1, successes: 0))
        let refused = try await #require(throws: MantisError.self) { try await succeed(breaker, recorder) }
        #expect(refused.code == .circuitOpen)
        #expect(refused.message.contains("probe"))
        gate.continuation.yield()
        _ = try await probe.value
        // One success of the two needed: still half-open, the next probe closes it.
        #expect(breaker.currentState == .halfOpen(probes: 0, successes: 1))
        try await succeed(breaker, recorder)
        #expect(breaker.currentState == .closed(failures: 0))
        #expect(recorder.list == ["closed→open", "open→half-open", "half-open→closed"])
    }

    @Test func errorsThatAreNotFailuresLeaveTheStateAlone() async throws {
        let clock = ManualClock()
        let breaker = CircuitBreaker(name: "webhook", options: CircuitBreakerOptions(failureThreshold: 1, coolDown: .seconds(1)), clock: clock)
        _ = try? await breaker.run { () async throws -> Int in throw CancellationError() }
        #expect(breaker.currentState == .closed(failures: 0))
        let picky = CircuitBreaker(name: "picky", options: CircuitBreakerOptions(failureThreshold: 1, coolDown: .seconds(1)), clock: clock,
                                   isFailure: { ($0 as? MantisError)?.code == .ioError })
        _ = try? await picky.run { () async throws -> Int in throw MantisError(.invalidArgument, "bad request") }
        #expect(picky.currentState == .closed(failures: 0))
        _ = try? await picky.run { () async throws -> Int in throw MantisError(.ioError, "EIO") }
        #expect(picky.currentState.name == "open")
        // A neutral outcome of a probe frees its slot without deciding.
        clock.advance(by: .seconds(1))
        _ = try? await picky.run { () async throws -> Int in throw MantisError(.invalidArgument, "bad request") }
        #expect(picky.currentState == .halfOpen(probes: 0, successes: 0))
    }

    @Test func lateOutcomesDoNotOverrideAnOpenBreaker() async throws {
        let (breaker, _, recorder) = make(threshold: 1, coolDown: .seconds(5))
        // A slow call let through while closed, finishing after another call opened the breaker.
        let release = AsyncStream<Void>.makeStream()
        let started = AsyncStream<Void>.makeStream()
        let slow = Task {
            try await breaker.run { () async throws -> Int in
                started.continuation.yield()
                for await _ in release.stream { break }
                return 1
            }
        }
        for await _ in started.stream { break }
        await fail(breaker, recorder)
        #expect(breaker.currentState.name == "open")
        release.continuation.yield()
        _ = try await slow.value
        #expect(breaker.currentState.name == "open", "a late success must not close an open breaker")
    }

    @Test func blockingVariant() throws {
        let clock = ManualClock()
        let breaker = CircuitBreaker(name: "sync", options: CircuitBreakerOptions(failureThreshold: 2, coolDown: .seconds(1)), clock: clock)
        for _ in 0..<2 { _ = try? breaker.runBlocking { () throws -> Int in throw Boom() } }
        #expect(throws: MantisError.self) { try breaker.runBlocking { 1 } }
        clock.advance(by: .seconds(1))
        #expect(try breaker.runBlocking { 7 } == 7)
        #expect(breaker.currentState == .closed(failures: 0))
    }

    @Test func optionsValidation() {
        #expect(throws: MantisError.self) { try CircuitBreakerOptions(failureThreshold: 0).validate() }
        #expect(throws: MantisError.self) { try CircuitBreakerOptions(coolDown: .seconds(-1)).validate() }
        #expect(throws: Never.self) { try CircuitBreakerOptions().validate() }
    }

    @Test func alertDeliveryFallsBackWhileTheChannelIsDown() async throws {
        let clock = ManualClock()
        let fallback = RecordingAlertSink()
        let attempts = Atomic<Int>(0)
        let breaker = CircuitBreaker(name: "webhook", options: CircuitBreakerOptions(failureThreshold: 2, coolDown: .seconds(30)), clock: clock)
        let sink = BreakerAlertSink(name: "webhook", breaker: breaker, fallback: fallback) { _ in
            attempts.add(1, ordering: .relaxed)
            throw MantisError(.ioError, "connection refused")
        }
        for index in 0..<5 { await sink.send(Alert(name: "test_\(index)", severity: .warning, message: "m")) }
        #expect(attempts.load(ordering: .relaxed) == 2, "after two failures the webhook is not called again during the cool-down")
        #expect(fallback.alerts.count == 5, "no alert is lost")
        #expect(fallback.alerts.allSatisfy { $0.details["delivery_failed"] != nil })
    }
}
