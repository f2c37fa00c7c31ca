import MantisCore
import MantisCoreTesting
import Testing
@testable import WALKit

@Suite("Write and sync failures") struct FailureTests {
    func openOnFaults(_ fs: FaultInjectingFileSystem, durability: Durability = .sync) throws -> SegmentedWAL {
        var opts = options(durability: durability, segmentSize: 64 << 10)
        opts.prepareSegmentsAhead = false
        return try SegmentedWAL.open(directory: "/db/wal", fileSystem: fs, checksum: crc32, options: opts)
    }

    @Test("a write or sync error fails the append and every later one with the original cause; a failed sync is never retried",
          arguments: [(FaultOperation.write, FaultRule.Failure.eio, MantisError.Code.ioError),
                      (.write, .enospc, .diskFull),
                      (.sync, .eio, .syncFailed),
                      (.sync, .enospc, .diskFull)])
    func failureIsSticky(operation: FaultOperation, failure: FaultRule.Failure, cause: MantisError.Code) async throws {
        let fs = FaultInjectingFileSystem(seed: 7)
        let wal = try openOnFaults(fs)
        for index in 0..<5 { try await wal.append([WALRecord(kind: .put, payload: payload("ok \(index)"))]) }
        fs.inject(FaultRule([operation], failure, trigger: .fromNth(1), pathContains: ".log"))
        let syncsBefore = fs.operationCount(.sync)
        await #expect {
            try await wal.append([WALRecord(kind: .put, payload: payload("fails"))])
        } throws: { error in
            let error = error as? MantisError
            return error?.code == .walFailed && error?.rootCause.code == cause
        }
        let syncsAfterFailure = fs.operationCount(.sync)
        #expect(syncsAfterFailure - syncsBefore <= 1, "at most the one failed sync")
        fs.removeAllFaults()
        for _ in 0..<3 {
            await #expect {
                try await wal.append([WALRecord(kind: .put, payload: payload("after"))])
            } throws: { error in
                let error = error as? MantisError
                return error?.code == .walFailed && error?.rootCause.code == cause
            }
            await #expect(throws: MantisError.self) { try await wal.sync() }
        }
        #expect(fs.operationCount(.sync) == syncsAfterFailure, "no sync was issued, let alone retried, after the failure")
        #expect(wal.status.failure != nil)
        try? await wal.close()

        // A restart recovers from what is on disk: every acknowledged record is there.
        _ = fs.crash(.dropUnsynced)
        let reopened = try openOnFaults(fs)
        let entries = try readAll(reopened)
        #expect(Array(entries.prefix(5)).map(\.payload) == (0..<5).map { payload("ok \($0)") })
        #expect(entries.count <= 6)
        try await reopened.close()
    }

    @Test("a record made durable (async: enqueued) before a later failure is still acknowledged when its waiter asks afterwards",
          arguments: [Durability.sync, .os, .async(flushInterval: .seconds(3600))])
    func durableBeforeFailure(durability: Durability) async throws {
        let fs = FaultInjectingFileSystem(seed: 13)
        let wal = try openOnFaults(fs, durability: durability)
        let first = try wal.enqueue([WALRecord(kind: .put, payload: payload("durable"))])
        try await wal.sync()
        // The next round fails; the first record's committer only now waits for its durability.
        fs.inject(FaultRule([.write, .sync], .eio, trigger: .fromNth(1), pathContains: ".log"))
        let second = try wal.enqueue([WALRecord(kind: .put, payload: payload("caught by the failure"))])
        await #expect(throws: MantisError.self) { try await wal.sync() }
        #expect(wal.status.failure != nil)
        try await wal.waitForDurability(of: first)
        if case .async = durability {
            // Acknowledged at enqueue, before the failure: in the same loss window as every
            // buffered record, not refused afterwards.
            try await wal.waitForDurability(of: second)
        } else {
            await #expect(throws: MantisError.self) { try await wal.waitForDurability(of: second) }
        }
        await #expect(throws: MantisError.self) { try wal.enqueue([WALRecord(kind: .put, payload: payload("after"))]) }
        try? await wal.close()
    }

    @Test("an fdatasync failure loses the unsynced pages; the log never claims them durable")
    func fsyncgate() async throws {
        let fs = FaultInjectingFileSystem(seed: 11)
        let wal = try openOnFaults(fs)
        try await wal.append([WALRecord(kind: .put, payload: payload("durable"))])
        fs.inject(FaultRule([.sync], .eio, trigger: .nth(1), pathContains: ".log"))
        await #expect(throws: MantisError.self) {
            try await wal.append([WALRecord(kind: .put, payload: payload("lost"))])
        }
        #expect(wal.status.durableLSN == LSN(1))
        try? await wal.close()
        _ = fs.crash(.dropUnsynced)
        let reopened = try openOnFaults(fs)
        #expect(try readAll(reopened).map(\.payload) == [payload("durable")])
        try await reopened.close()
    }

    @Test("an append that fails leaves earlier acknowledged records readable in the same process")
    func readsAfterFailure() async throws {
        let fs = FaultInjectingFileSystem(seed: 3)
        let wal = try openOnFaults(fs)
        for index in 0..<3 { try await wal.append([WALRecord(kind: .put, payload: payload("r\(index)"))]) }
        fs.inject(FaultRule([.write], .eio, trigger: .nth(1), pathContains: ".log"))
        await #expect(throws: MantisError.self) { try await wal.append([WALRecord(kind: .put, payload: payload("x"))]) }
        fs.removeAllFaults()
        #expect(try readAll(wal).map(\.payload) == (0..<3).map { payload("r\($0)") })
        try? await wal.close()
    }
}
