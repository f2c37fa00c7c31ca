import MantisCore
import Glibc
import MantisCoreTesting
import Synchronization
import Testing
@testable import WALKit

/// Group-commit leadership with waiters that must not block their thread (`BlockingIO`).
@Suite("Group-commit leadership") struct LeadershipTests {
    @Test("a task that must not block never leads: every fdatasync runs on another task, and every append returns durable",
          arguments: [Durability.sync, .os])
    func nonBlockingTasksNeverLead(durability: Durability) async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        // Read in the thread that syncs: a leader running in a non-blocking task sees false.
        let syncsByNonBlocking = Atomic<Int>(0)
        let syncs = Atomic<Int>(0)
        var walOptions = options(durability: durability)
        walOptions.onSync = { _, _ in
            syncs.add(1, ordering: .relaxed)
            if BlockingIO.policy == .never { syncsByNonBlocking.add(1, ordering: .relaxed) }
        }
        let wal = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: walOptions)
        let writers = 24, perWriter = 30
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                // Two of three must not block; the rest may lead, so both kinds mix in one round.
                let mayBlock = writer % 3 == 0
                group.addTask {
                    try await BlockingIO.$policy.withValue(mayBlock ? .unbounded : .never) {
                        for index in 0..<perWriter {
                            let lsn = try await wal.append([WALRecord(kind: .note, payload: payload("w\(writer) \(index)"))])
                            if durability == .sync {
                                #expect(wal.status.durableLSN >= lsn, "append returned before its record was durable")
                            }
                        }
                        try await wal.sync()
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(syncsByNonBlocking.load(ordering: .relaxed) == 0, "a task that must not block led a group commit")
        #expect(syncs.load(ordering: .relaxed) > 0)
        try await wal.close()
        let reopened = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: options())
        #expect(try readAll(reopened).count == writers * perWriter)
        try await reopened.close()
    }

    @Test("only non-blocking waiters: the log's thread syncs for them, round after round")
    func detachedLeaderServesOnlyNonBlockingWaiters() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let wal = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: options())
        try await BlockingIO.$policy.withValue(.never) {
            for index in 0..<50 {
                let lsn = try await wal.append([WALRecord(kind: .note, payload: payload("r\(index)"))])
                #expect(wal.status.durableLSN >= lsn)
            }
        }
        #expect(wal.status.syncCount >= 50, "each lone append needed its own sync")
        try await wal.close()
    }

    @Test("a lone appender leads its own rounds; under concurrent appenders the rounds after the first run on the log's thread, not in a task")
    func concurrentRoundsLeaveThePool() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let counter = SyncCounter()
        // Syncs of at least 1 ms: appenders overlap even when other suites keep the pool's threads
        // busy (seen once with the plain disk: every concurrent round led in a task, 0.1 ms each).
        let wal = try SegmentedWAL.open(directory: dir.path, fileSystem: SlowSyncFileSystem(delay: .milliseconds(1)), checksum: crc32,
                                        options: counter.counting(options()))
        for index in 0..<20 {
            let lsn = try await wal.append([WALRecord(kind: .note, payload: payload("lone \(index)"))])
            #expect(wal.status.durableLSN >= lsn)
        }
        #expect(wal.status.roundsLedByCallers == 20)
        #expect(counter.syncs == 20 && counter.syncsInTasks == 20,
                "a lone appender should lead every round itself: \(counter.syncsInTasks) of \(counter.syncs) syncs in its task")
        counter.reset()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<16 {
                group.addTask {
                    for index in 0..<50 {
                        let lsn = try await wal.append([WALRecord(kind: .note, payload: payload("w\(writer) \(index)"))])
                        #expect(wal.status.durableLSN >= lsn, "append returned before its record was durable")
                    }
                }
            }
            try await group.waitForAll()
        }
        let total = counter.syncs, inTasks = counter.syncsInTasks
        // Every idle spell starts with one round led inline; the rest belong to the thread.
        #expect(total > 0 && inTasks < total, "every concurrent round was led inside a task (\(inTasks) of \(total))")
        try await wal.close()
        let reopened = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: options())
        #expect(try readAll(reopened).count == 20 + 16 * 50)
        try await reopened.close()
    }

    @Test("a sync failure reaches non-blocking waiters too: their appends throw walFailed, nothing is acknowledged after it")
    func failureReachesNonBlockingWaiters() async throws {
        let fs = FaultInjectingFileSystem(seed: 11)
        var walOptions = options(segmentSize: 64 << 10)
        walOptions.prepareSegmentsAhead = false
        let wal = try SegmentedWAL.open(directory: "/db/wal", fileSystem: fs, checksum: crc32, options: walOptions)
        try await wal.append([WALRecord(kind: .put, payload: payload("before"))])
        fs.inject(FaultRule([.sync], .eio, trigger: .fromNth(1), pathContains: ".log"))
        let outcomes = try await withThrowingTaskGroup(of: MantisError.Code?.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    await BlockingIO.$policy.withValue(.never) {
                        do {
                            try await wal.append([WALRecord(kind: .put, payload: payload("w\(writer)"))])
                            return nil
                        } catch {
                            return (error as? MantisError)?.code
                        }
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.allSatisfy { $0 == .walFailed }, "every append caught by the failed sync must fail: \(outcomes)")
        try? await wal.close()
        fs.removeAllFaults()
        _ = fs.crash(.dropUnsynced)
        let reopened = try SegmentedWAL.open(directory: "/db/wal", fileSystem: fs, checksum: crc32, options: walOptions)
        #expect(try readAll(reopened).first?.payload == payload("before"))
        try await reopened.close()
    }
}

extension LeadershipTests {
    @Test("a whileFast appender (an event loop) leads its own rounds only after 16 short rounds in a row; one long round hands the rounds back to the log's thread")
    func whileFastLeadsOnlyWhileRoundsAreShort() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        // Per sync, in order: whether it ran inside the appender's task (led inline).
        let inTask = Mutex<[Bool]>([])
        let holdNext = Atomic<Bool>(false)
        var walOptions = options()
        walOptions.shortRoundBound = .milliseconds(50)
        walOptions.onSync = { _, _ in
            inTask.withLock { $0.append(withUnsafeCurrentTask { $0 != nil }) }
            if holdNext.exchange(false, ordering: .relaxed) { usleep(100_000) }  // a long round
        }
        let wal = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: walOptions)
        var appended = 0
        // Appends one record at a time until a round is led inline (at most `limit` appends).
        func appendUntilLedInline(limit: Int) async throws -> [Bool] {
            inTask.withLock { $0.removeAll() }
            try await BlockingIO.$policy.withValue(.whileFast) {
                for _ in 0..<limit {
                    let lsn = try await wal.append([WALRecord(kind: .note, payload: payload("r\(appended)"))])
                    appended += 1
                    #expect(wal.status.durableLSN >= lsn, "append returned before its record was durable")
                    if inTask.withLock({ $0.last == true }) { return }
                }
            }
            return inTask.withLock { $0 }
        }
        // A fresh log has no short rounds yet: at least the first 16 are the thread's. (A slow
        // sync on a busy machine only makes the stretch longer.)
        var led = try await appendUntilLedInline(limit: 200)
        #expect(led.count > 16 && led.dropLast().allSatisfy { !$0 } && led.last == true, "\(led)")
        #expect(wal.status.roundsLedByCallers == 1 && wal.status.shortRoundStreak == 16)

        holdNext.store(true, ordering: .relaxed)
        led = try await appendUntilLedInline(limit: 1)  // whoever leads it, its round is long
        #expect(led.count == 1 && wal.status.shortRoundStreak == 0)
        led = try await appendUntilLedInline(limit: 200)
        #expect(led.count > 16 && led.dropLast().allSatisfy { !$0 } && led.last == true,
                "right after a long round, the next 16 must be the thread's, then inline again: \(led)")
        try await wal.close()
        let reopened = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: options())
        #expect(try readAll(reopened).count == appended)
        try await reopened.close()
    }
}

extension LeadershipTests {
    @Test("with shortRoundBound zero no round is short: a whileFast appender never leads")
    func zeroBoundNeverLeads() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let counter = SyncCounter()
        var walOptions = options()
        walOptions.shortRoundBound = .zero
        let wal = try SegmentedWAL.open(directory: dir.path, fileSystem: PosixFileSystem(), checksum: crc32, options: counter.counting(walOptions))
        try await BlockingIO.$policy.withValue(.whileFast) {
            for index in 0..<40 {
                let lsn = try await wal.append([WALRecord(kind: .note, payload: payload("r\(index)"))])
                #expect(wal.status.durableLSN >= lsn)
            }
        }
        #expect(counter.syncs == 40 && counter.syncsInTasks == 0)
        try await wal.close()
    }
}
