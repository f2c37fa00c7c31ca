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
