import IntegrityKit
import IntegrityKitTesting
import MantisCore
import MantisCoreTesting
import Testing

@Suite struct TokenBucketTests {
    @Test func burstThenPacedAtTheRate() {
        let clock = ManualClock()
        let bucket = TokenBucket(rate: 1_000_000, burst: 100_000, clock: clock)
        #expect(bucket.reserve(100_000) == .zero, "the burst is free")
        #expect(bucket.reserve(500_000) == .milliseconds(500), "then 1 MB/s: 500 kB wait 0.5 s")
        clock.advance(by: .milliseconds(500))
        #expect(bucket.reserve(250_000) == .milliseconds(250))
        clock.advance(by: .seconds(10))
        #expect(bucket.reserve(100_000) == .zero, "refills up to the burst, not beyond")
        #expect(bucket.reserve(1) > .zero)
    }

    @Test func blockingAcquireWaitsOnTheClock() {
        let clock = ManualClock()
        let bucket = TokenBucket(rate: 50_000_000, burst: 1 << 20, clock: clock)
        let start = clock.now()
        for _ in 0..<100 { bucket.acquireBlocking(1 << 20) }
        // 100 MiB at 50 MB/s, the first MiB free: (100 − 1) × 1 048 576 / 50e6 s.
        let expected = Double(99 * (1 << 20)) / 50e6
        let elapsed = clock.now() - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        #expect(abs(seconds - expected) < 1e-6)
    }

    @Test func rateLimitedFileSystemPacesAndCountsReads() throws {
        let fs = FaultInjectingFileSystem(seed: 1)
        try fs.writeFileAtomically("/big", contents: [UInt8](repeating: 7, count: 3 << 20))
        let clock = ManualClock()
        let limited = RateLimitedFileSystem(base: fs, bucket: TokenBucket(rate: 1 << 20, burst: 1 << 20, clock: clock))
        #expect(try limited.readFile("/big").count == 3 << 20)
        #expect(limited.bytesRead == 3 << 20)
        #expect(clock.blockingSleeps.reduce(Duration.zero, +) == .seconds(2), "3 MiB at 1 MiB/s with a 1 MiB burst")
        limited.cancel()
        let error = try #require(throws: MantisError.self) { try limited.readFile("/big") }
        #expect(error.code == .cancelled)
    }

    @Test func stoppedWaitEndsWithinASlice() {
        let clock = ManualClock()
        let bucket = TokenBucket(rate: 1 << 10, burst: 0, clock: clock)
        // 1 MiB at 1 KiB/s would wait 1,024 s; asked to stop after its first slice, it stops there.
        bucket.acquireBlocking(1 << 20) { !clock.blockingSleeps.isEmpty }
        #expect(clock.blockingSleeps == [.milliseconds(50)])
        // Not stopped, the slices add up to the whole wait.
        let other = ManualClock()
        TokenBucket(rate: 1 << 10, burst: 0, clock: other).acquireBlocking(1 << 11) { false }
        #expect(other.blockingSleeps.reduce(Duration.zero, +) == .seconds(2))
    }
}
