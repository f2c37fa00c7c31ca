import Glibc
import MantisCore
import MantisCoreTesting
import Synchronization
import Testing
@testable import WALKit

/// The async flusher bounds what a crash can lose (`flush_interval`, the RPO): it must keep its
/// schedule while CPU-bound tasks occupy every thread of the cooperative pool.
@Suite("Async flusher") struct FlusherStarvationTests {
    @Test("the flusher's syncs run on its own thread, outside any task (so a busy pool cannot delay them)")
    func flusherSyncsOutsideThePool() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let counter = SyncCounter()
        let wal = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32,
                                        options: counter.counting(options(durability: .async(flushInterval: .milliseconds(5)))))
        for round in 0..<5 {
            let lsn = try wal.enqueue([WALRecord(kind: .note, payload: payload("r\(round)"))])
            let deadline = ContinuousClock.now + .seconds(10)
            while wal.status.durableLSN < lsn, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(2)) }
            #expect(wal.status.durableLSN >= lsn, "the flusher never made round \(round) durable")
        }
        #expect(counter.syncs >= 5 && counter.syncsInTasks == 0,
                "\(counter.syncsInTasks) of \(counter.syncs) flusher syncs ran in a task")
        try await wal.close()
    }

    /// Saturates the whole process's pool, which would starve every test running beside it, so it
    /// runs only alone: `make test` runs it with MANTIS_ISOLATED_TESTS=1 and this suite filtered.
    @Test("a record becomes durable within a few flush intervals while every thread of the pool spins",
          .enabled(if: Environment.value("MANTIS_ISOLATED_TESTS") != nil))
    func flusherKeepsItsScheduleOnABusyPool() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let wal = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32,
                                        options: options(durability: .async(flushInterval: .milliseconds(20))))
        let window = Duration.milliseconds(1500)
        let spinners = Spinners()
        // More CPU-bound tasks than the pool has threads (as many as cores), none yielding.
        let tasks = (0..<16).map { _ in Task.detached { [spinners] in spinners.spin(atMost: window) } }
        while spinners.started.load(ordering: .relaxed) == 0 { pause() }
        pause()
        let start = ContinuousClock.now
        let lsn = try wal.enqueue([WALRecord(kind: .note, payload: payload("while the pool is busy"))])
        var durableAfter: Duration?
        while ContinuousClock.now - start < window {
            if wal.status.durableLSN >= lsn {
                durableAfter = ContinuousClock.now - start
                break
            }
            pause()
        }
        let stillSpinning = spinners.running.load(ordering: .relaxed)
        spinners.stop.store(true, ordering: .relaxed)
        for task in tasks { await task.value }
        #expect(stillSpinning > 0, "the pool was not kept busy for the whole check")
        #expect(durableAfter.map { $0 < .seconds(1) } == true,
                "not durable within \(window) while the pool was busy (flush interval 20 ms): \(durableAfter.map { "\($0)" } ?? "never")")
        try await wal.close()
    }

    @Test("a flush asked for while another round is in progress is done by that round's leader (syncDue); a closed log stops the flusher")
    func flushDuringARoundIsNotLost() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        // The flusher thread would tick only after an hour: this test drives the ticks itself.
        let wal = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32,
                                        options: options(durability: .async(flushInterval: .seconds(3600))))
        let lsn = try wal.enqueue([WALRecord(kind: .note, payload: payload("pending"))])
        wal.state.withLock { $0.ioActive = true }  // a leader's round is in progress
        #expect(wal.flushOnSchedule(), "the flusher stopped on a live log")
        #expect(wal.status.durableLSN < lsn)
        // That leader's next round (write-only under async durability) must now sync.
        let more = try wal.leadRound(syncRequested: false)
        #expect(wal.status.durableLSN >= lsn, "the flush asked for during the round was dropped")
        #expect(!more && !wal.state.withLock { $0.syncDue || $0.ioActive })
        try await wal.close()
        #expect(!wal.flushOnSchedule(), "the flusher keeps running on a closed log")
    }

    @Test("the flusher's ticks keep a fixed schedule: the next tick is one interval after the last scheduled one, or at once if that has passed")
    func scheduleDoesNotDrift() {
        let start = ContinuousClock.now
        let interval = Duration.milliseconds(100)
        // On time: one interval after the last deadline, however late in the interval the sync ended.
        #expect(SegmentedWAL.nextFlush(after: start, now: start + .milliseconds(80), interval: interval) == start + interval)
        // Late (a sync longer than the interval): at once, not two ticks back to back later.
        let late = start + .milliseconds(250)
        #expect(SegmentedWAL.nextFlush(after: start, now: late, interval: interval) == late)
        #expect(SegmentedWAL.nextFlush(after: late, now: late + .milliseconds(1), interval: interval) == late + interval)
    }

    @Test("with syncs taking most of the interval, ticks still come about one interval apart (not interval + sync)")
    func slowSyncsDoNotWidenTheWindow() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let interval = Duration.milliseconds(100)
        let syncEnds = Mutex<[ContinuousClock.Instant]>([])
        let log = Mutex<SegmentedWAL?>(nil)
        var walOptions = options(durability: .async(flushInterval: interval))
        walOptions.onSync = { _, _ in
            // The sync "takes" 70 ms: a drifting schedule would tick every 170 ms.
            var request = timespec(tv_sec: 0, tv_nsec: 70_000_000)
            nanosleep(&request, nil)
            syncEnds.withLock { $0.append(.now) }
            // Something for the next tick to sync, appended here so that no task has to run in time.
            _ = try? log.withLock { $0 }?.enqueue([WALRecord(kind: .note, payload: payload("next"))])
        }
        let wal = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: walOptions)
        log.withLock { $0 = wal }
        _ = try wal.enqueue([WALRecord(kind: .note, payload: payload("first"))])
        let deadline = ContinuousClock.now + .seconds(20)
        while syncEnds.withLock({ $0.count }) < 7, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        log.withLock { $0 = nil }
        try await wal.close()
        let ends = syncEnds.withLock { $0 }
        try #require(ends.count >= 7, "only \(ends.count) flusher syncs in 20 s")
        // The first sync may be the open's or a caller's; the spacing of the later ones is the flusher's.
        let gaps = zip(ends.dropFirst(2), ends.dropFirst(1)).map { $0 - $1 }.sorted()
        let median = gaps[gaps.count / 2]
        #expect(median < .milliseconds(140), "ticks \(median) apart with a 100 ms interval and 70 ms syncs: \(gaps)")
    }

    /// A millisecond without giving the thread back to the pool (this test's task may hold one).
    private func pause() {
        var request = timespec(tv_sec: 0, tv_nsec: 1_000_000)
        nanosleep(&request, nil)
    }
}

private final class Spinners: Sendable {
    let started = Atomic<Int>(0)
    let running = Atomic<Int>(0)
    let stop = Atomic<Bool>(false)

    func spin(atMost duration: Duration) {
        started.add(1, ordering: .relaxed)
        running.add(1, ordering: .relaxed)
        let until = ContinuousClock.now + duration
        while !stop.load(ordering: .relaxed), ContinuousClock.now < until {}
        running.subtract(1, ordering: .relaxed)
    }
}
