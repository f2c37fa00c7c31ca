import IntegrityKit
import IntegrityKitTesting
import MantisCore
import MantisCoreTesting
import Synchronization
import Testing
import WALKit

@Suite struct RetryPolicyTests {
    @Test func exponentialDelaysWithoutJitterAreExact() {
        let policy = RetryPolicy(maxAttempts: 8, initialDelay: .milliseconds(10), maxDelay: .milliseconds(100), multiplier: 2, jitter: .none)
        var random = SplitMix64(seed: 1)
        let delays = (1...6).map { policy.delay(beforeRetry: $0, using: &random) }
        #expect(delays == [.milliseconds(10), .milliseconds(20), .milliseconds(40), .milliseconds(80), .milliseconds(100), .milliseconds(100)])
    }

    @Test func fullJitterIsSeededAndWithinTheCeiling() {
        let policy = RetryPolicy(maxAttempts: 8, initialDelay: .milliseconds(10), maxDelay: .milliseconds(100), jitter: .full)
        var a = SplitMix64(seed: 42)
        var b = SplitMix64(seed: 42)
        var reference = SplitMix64(seed: 42)
        for retry in 1...6 {
            let delay = policy.delay(beforeRetry: retry, using: &a)
            #expect(delay == policy.delay(beforeRetry: retry, using: &b), "same seed, same delay")
            let ceiling = policy.ceiling(beforeRetry: retry)
            // The documented formula: ceiling × (top 53 bits of the next draw / 2^53).
            let fraction = Double(reference.next() >> 11) * 0x1p-53
            let expected = Duration.nanoseconds(Int64(Double(ceiling.components.seconds * 1_000_000_000 + ceiling.components.attoseconds / 1_000_000_000) * fraction))
            #expect(delay == expected)
            #expect(delay >= .zero && delay <= ceiling)
        }
        var other = SplitMix64(seed: 43)
        var first = SplitMix64(seed: 42)
        #expect(policy.delay(beforeRetry: 3, using: &other) != policy.delay(beforeRetry: 3, using: &first))
    }

    @Test func equalJitterKeepsAtLeastHalf() {
        let policy = RetryPolicy(maxAttempts: 8, initialDelay: .milliseconds(10), maxDelay: .seconds(1), jitter: .equal)
        var random = SplitMix64(seed: 7)
        for retry in 1...7 {
            let delay = policy.delay(beforeRetry: retry, using: &random)
            let ceiling = policy.ceiling(beforeRetry: retry)
            #expect(delay >= ceiling / 2 && delay <= ceiling)
        }
    }

    @Test func validation() {
        #expect(throws: MantisError.self) { try RetryPolicy(maxAttempts: 0).validate() }
        #expect(throws: MantisError.self) { try RetryPolicy(initialDelay: .seconds(2), maxDelay: .seconds(1)).validate() }
        #expect(throws: MantisError.self) { try RetryPolicy(multiplier: 0.5).validate() }
        #expect(throws: Never.self) { try RetryPolicy().validate() }
    }
}

@Suite struct RetrierTests {
    /// A body that fails with `errors` in turn, then returns the call count.
    final class Script: Sendable {
        let errors: Mutex<[MantisError]>
        let calls = Atomic<Int>(0)
        init(_ errors: [MantisError]) { self.errors = Mutex(errors) }
        func call() throws -> Int {
            let count = calls.add(1, ordering: .relaxed).newValue
            if let next = errors.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { throw next }
            return count
        }
        var count: Int { calls.load(ordering: .relaxed) }
    }

    static let eio = MantisError(.ioError, "pread failed: EIO", context: ErrorContext(operation: "pread", file: "/data/x", errno: 5))

    @Test func transientErrorsAreRetriedWithTheExactDelays() async throws {
        let clock = ManualClock()
        let policy = RetryPolicy(maxAttempts: 5, initialDelay: .milliseconds(10), maxDelay: .milliseconds(25), jitter: .none)
        let retrier = Retrier(policy: policy, clock: clock, seed: 1)
        let script = Script([Self.eio, Self.eio, Self.eio])
        let result = try await retrier.run(operation: "read") { try script.call() }
        #expect(result == 4)
        #expect(clock.sleeps == [.milliseconds(10), .milliseconds(20), .milliseconds(25)])
    }

    @Test func seededJitterGivesReproducibleDelays() async throws {
        func delays(seed: UInt64) async throws -> [Duration] {
            let clock = ManualClock()
            let retrier = Retrier(policy: RetryPolicy(maxAttempts: 6, initialDelay: .milliseconds(10), maxDelay: .seconds(1), jitter: .full), clock: clock, seed: seed)
            let script = Script(Array(repeating: Self.eio, count: 5))
            _ = try await retrier.run(operation: "read") { try script.call() }
            return clock.sleeps
        }
        let first = try await delays(seed: 99)
        #expect(first.count == 5)
        #expect(try await delays(seed: 99) == first)
        var reference = SplitMix64(seed: 99)
        let policy = RetryPolicy(maxAttempts: 6, initialDelay: .milliseconds(10), maxDelay: .seconds(1), jitter: .full)
        #expect(first == (1...5).map { policy.delay(beforeRetry: $0, using: &reference) })
    }

    @Test func attemptsRunOut() async throws {
        let clock = ManualClock()
        let retrier = Retrier(policy: RetryPolicy(maxAttempts: 3, jitter: .none), clock: clock, seed: 1)
        let script = Script(Array(repeating: Self.eio, count: 10))
        let error = try await #require(throws: MantisError.self) {
            try await retrier.run(operation: "open segment") { try script.call() }
        }
        #expect(script.count == 3)
        #expect(clock.sleeps.count == 2)
        #expect(error.code == .ioError)
        #expect(error.context.metadata["attempts"] == "3")
    }

    @Test(arguments: [
        MantisError(.corruption, "bad crc"), MantisError(.checksumMismatch, "bad crc"), MantisError(.diskFull, "ENOSPC"),
        MantisError(.memoryLimit, "full"), MantisError(.notFound, "gone"), MantisError(.permissionDenied, "EACCES"),
        MantisError(.internalError, "bug"), MantisError(.walFailed, "failed"), MantisError("some_future_code", "?"),
    ])
    func nonTransientErrorsAreNotRetried(_ error: MantisError) async throws {
        let clock = ManualClock()
        let retrier = Retrier(policy: RetryPolicy(maxAttempts: 10), clock: clock, seed: 1)
        let script = Script([error])
        await #expect(throws: MantisError.self) { try await retrier.run(operation: "op") { try script.call() } }
        #expect(script.count == 1)
        #expect(clock.sleeps.isEmpty)
    }

    @Test func cancellationStopsRetrying() async throws {
        let clock = ManualClock(autoAdvance: false)
        let retrier = Retrier(policy: RetryPolicy(maxAttempts: 10, initialDelay: .seconds(1), jitter: .none), clock: clock, seed: 1)
        let script = Script(Array(repeating: Self.eio, count: 10))
        let task = Task { try await retrier.run(operation: "read") { try script.call() } }
        await clock.waitForSleepers(1)
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(script.count == 1)
    }

    @Test func blockingVariantWaitsOnTheClock() throws {
        let clock = ManualClock()
        let retrier = Retrier(policy: RetryPolicy(maxAttempts: 4, initialDelay: .milliseconds(5), maxDelay: .seconds(1), jitter: .none), clock: clock, seed: 1)
        let script = Script([Self.eio, Self.eio])
        #expect(try retrier.runBlocking(operation: "read") { try script.call() } == 3)
        #expect(clock.blockingSleeps == [.milliseconds(5), .milliseconds(10)])
    }

    @Test func observerSeesEveryRetry() async throws {
        let events = Mutex<[RetryEvent]>([])
        let retrier = Retrier(policy: RetryPolicy(maxAttempts: 4, jitter: .none), clock: ManualClock(), seed: 1) { event in
            events.withLock { $0.append(event) }
        }
        let script = Script([Self.eio, Self.eio])
        _ = try await retrier.run(operation: "open wal") { try script.call() }
        #expect(events.withLock { $0.map(\.attempt) } == [1, 2])
        #expect(events.withLock { $0.allSatisfy { $0.operation == "open wal" } })
    }

    // MARK: real file-system faults

    @Test func transientOpenFailureIsRetried() async throws {
        let fs = FaultInjectingFileSystem(seed: 1)
        try fs.createDirectory("/data")
        try fs.writeFileAtomically("/data/file", contents: [1, 2, 3])
        fs.inject(FaultRule([.open], .eio, trigger: .nth(1), pathContains: "/data/file"))
        let clock = ManualClock()
        let retrier = Retrier(policy: RetryPolicy(maxAttempts: 3, jitter: .none), clock: clock, seed: 1)
        let opensBefore = fs.operationCount(.open)
        let bytes = try await retrier.run(operation: "read file") { try fs.readFile("/data/file") }
        #expect(bytes == [1, 2, 3])
        #expect(fs.operationCount(.open) - opensBefore == 2)
        #expect(clock.sleeps.count == 1)
    }

    /// DESIGN.md rule 2, proven by counting: whatever the retry budget, a failed fsync,
    /// fdatasync or directory fsync is called exactly once.
    @Test(arguments: [FaultRule.Failure.eio, .enospc])
    func fsyncFailureIsNeverRetried(_ failure: FaultRule.Failure) async throws {
        let fs = FaultInjectingFileSystem(seed: 2)
        try fs.createDirectory("/data")
        let file = try fs.openFile("/data/f", options: [.write, .create])
        try file.write([1, 2, 3], at: 0)
        fs.inject(FaultRule([.sync], failure, trigger: .fromNth(1)))
        fs.inject(FaultRule([.directorySync], failure, trigger: .fromNth(1)))
        let clock = ManualClock()
        let retrier = Retrier(policy: RetryPolicy(maxAttempts: 10, jitter: .none), clock: clock, seed: 1)

        var before = fs.operationCount(.sync)
        await #expect(throws: MantisError.self) { try await retrier.run(operation: "fsync") { try file.sync() } }
        #expect(fs.operationCount(.sync) - before == 1)

        before = fs.operationCount(.sync)
        await #expect(throws: MantisError.self) { try await retrier.run(operation: "fdatasync") { try file.syncData() } }
        #expect(fs.operationCount(.sync) - before == 1)

        before = fs.operationCount(.sync)
        #expect(throws: MantisError.self) { try retrier.runBlocking(operation: "fdatasync") { try file.syncData() } }
        #expect(fs.operationCount(.sync) - before == 1)

        let directoryBefore = fs.operationCount(.directorySync)
        await #expect(throws: MantisError.self) { try await retrier.run(operation: "fsync dir") { try fs.syncDirectory("/data") } }
        #expect(fs.operationCount(.directorySync) - directoryBefore == 1)

        #expect(clock.sleeps.isEmpty && clock.blockingSleeps.isEmpty)
        try? file.close()
    }

    @Test func failedLogAppendAfterAFailedSyncIsNeverRetried() async throws {
        let fs = FaultInjectingFileSystem(seed: 3)
        var options = SegmentedWALOptions()
        options.segmentSize = 64 << 10
        options.syncAlignment = 512
        options.prepareSegmentsAhead = false
        let wal = try SegmentedWAL.open(directory: "/data/wal", fileSystem: fs, checksum: CRC32Checksum(), options: options)
        fs.inject(FaultRule([.sync], .eio, trigger: .fromNth(1), pathContains: ".log"))
        let retrier = Retrier(policy: RetryPolicy(maxAttempts: 10, jitter: .none), clock: ManualClock(), seed: 1)
        let before = fs.operationCount(.sync)
        let error = try await #require(throws: MantisError.self) {
            try await retrier.run(operation: "append") { try await wal.append([WALRecord(kind: .note, payload: [1, 2, 3])]) }
        }
        // The one failed sync of the log, then the sync-failure marker's own (written once).
        #expect(fs.operationCount(.sync) - before == 2)
        #expect(fs.fileExists("/data/wal/sync-failed"))
        #expect(ErrorClassification.standard.classify(error).involvesSync)
        #expect(ErrorPolicy.standard.decide(error).action == .readOnly)
        try? await wal.close()
    }
}
