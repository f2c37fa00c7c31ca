import MantisCore
import MantisCoreTesting
import Testing
@testable import WALKit

@Suite("Write and sync failures") struct FailureTests {
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
        #expect(syncsAfterFailure - syncsBefore <= (operation == .sync ? 2 : 1), "at most the one failed sync (and the sync-failure marker's)")
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

    @Test("after a failed sync the next open cuts the log back to its last durable record, though the kernel still shows the rest",
          arguments: [Durability.sync, .async(flushInterval: .seconds(3600))])
    func syncFailureMarker(durability: Durability) async throws {
        let fs = FaultInjectingFileSystem(seed: 17)
        let wal = try openOnFaults(fs, durability: durability)
        try await wal.append([WALRecord(kind: .put, payload: payload("durable"))])
        try await wal.sync()
        fs.inject(FaultRule([.sync], .eio, trigger: .nth(1), pathContains: ".log"))
        _ = try wal.enqueue([WALRecord(kind: .put, payload: payload("lost 1")), WALRecord(kind: .put, payload: payload("lost 2"))])
        await #expect(throws: MantisError.self) { try await wal.sync() }
        #expect(fs.fileExists("/db/wal/sync-failed"), "the failure left its marker")
        try? await wal.close()

        // The process dies, the kernel lives: the records whose sync failed still read back.
        _ = fs.crash(.processCrash)
        fs.removeAllFaults()
        let reopened = try openOnFaults(fs, durability: durability)
        #expect(try readAll(reopened).map(\.payload) == [payload("durable")], "records after the failed sync were recovered")
        #expect(reopened.openReport.recordsCutAfterSyncFailure == 2)
        #expect(reopened.openReport.brokenFiles.count == 1, "the cut bytes are kept")
        #expect(!fs.fileExists("/db/wal/sync-failed"), "the marker is removed once the cut is durable")
        // New records follow the durable one and survive a power loss.
        try await reopened.append([WALRecord(kind: .put, payload: payload("after"))])
        try await reopened.sync()
        try? await reopened.close()
        _ = fs.crash(.dropUnsynced)
        let again = try openOnFaults(fs, durability: durability)
        #expect(try readAll(again).map(\.payload) == [payload("durable"), payload("after")])
        #expect(again.openReport.recordsCutAfterSyncFailure == 0)
        try await again.close()
    }

    @Test("with os durability a failed sync leaves no marker: records handed to the OS stay acknowledged")
    func noMarkerForOSDurability() async throws {
        let fs = FaultInjectingFileSystem(seed: 19)
        let wal = try openOnFaults(fs, durability: .os)
        try await wal.append([WALRecord(kind: .put, payload: payload("handed over"))])
        fs.inject(FaultRule([.sync], .eio, trigger: .nth(1), pathContains: ".log"))
        await #expect(throws: MantisError.self) { try await wal.sync() }
        #expect(!fs.fileExists("/db/wal/sync-failed"))
        try? await wal.close()
        _ = fs.crash(.processCrash)
        fs.removeAllFaults()
        let reopened = try openOnFaults(fs, durability: .os)
        #expect(try readAll(reopened).map(\.payload) == [payload("handed over")])
        try await reopened.close()
    }

    @Test("a damaged or dangling sync-failure marker stops the open, naming the marker")
    func damagedMarker() async throws {
        let fs = FaultInjectingFileSystem(seed: 23)
        let wal = try openOnFaults(fs)
        try await wal.append([WALRecord(kind: .put, payload: payload("durable"))])
        try await wal.close()
        var marker = SyncFailureMarker(segment: "wal-0000000000000001.log", length: 64, lsn: .zero).encoded()
        marker[30] ^= 0x01
        try fs.writeFileAtomically("/db/wal/sync-failed", contents: marker)
        #expect { _ = try openOnFaults(fs) } throws: { error in
            let error = error as? MantisError
            return error?.code == .corruption && error?.context.file == "/db/wal/sync-failed" && error?.message.contains("checksum mismatch") == true
        }
        try fs.writeFileAtomically("/db/wal/sync-failed", contents: SyncFailureMarker(segment: "wal-00000000000000ff.log", length: 64, lsn: .zero).encoded())
        #expect { _ = try openOnFaults(fs) } throws: { error in
            (error as? MantisError)?.message.contains("names segment wal-00000000000000ff.log, which is not in the log") == true
        }
        #expect(try SyncFailureMarker.decode(SyncFailureMarker(segment: "s", length: 7, lsn: LSN(9)).encoded(), path: "m") == SyncFailureMarker(segment: "s", length: 7, lsn: LSN(9)))
    }

    @Test("records sealed into a segment before creating the next one fails are acknowledged; only later ones are refused")
    func rotationFailureAfterSeal() async throws {
        let fs = FaultInjectingFileSystem(seed: 29)
        let wal = try openOnFaults(fs)  // 64 KiB segments, created on demand
        // Six 10 KiB records fit in the first segment; the seventh needs a new one.
        let big = [UInt8](repeating: 7, count: 10_000)
        var lsns: [LSN] = []
        for _ in 0..<9 { lsns.append(try wal.enqueue([WALRecord(kind: .put, payload: big)])) }
        fs.inject(FaultRule([.preallocate, .write], .enospc, trigger: .fromNth(1), pathContains: "prepared"))
        let outcomes = await withTaskGroup(of: (LSN, Bool).self) { group in
            for lsn in lsns {
                group.addTask {
                    do {
                        try await wal.waitForDurability(of: lsn)
                        return (lsn, true)
                    } catch {
                        return (lsn, false)
                    }
                }
            }
            return await group.reduce(into: [LSN: Bool]()) { $0[$1.0] = $1.1 }
        }
        let sealed = wal.status.durableLSN
        #expect(sealed == LSN(6), "the first segment holds six records")
        for lsn in lsns {
            #expect(outcomes[lsn] == (lsn <= sealed), "record \(lsn): acknowledged \(outcomes[lsn] ?? false), sealed through \(sealed)")
        }
        #expect(wal.status.failure != nil)
        try? await wal.close()
        _ = fs.crash(.dropUnsynced)
        fs.removeAllFaults()
        let reopened = try openOnFaults(fs)
        #expect(try readAll(reopened).count == 6, "every acknowledged record survives")
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

    @Test("a cut of several MiB after a failed sync is kept whole in .broken and zeroed in the segment (copied in pieces)")
    func largeCutAfterSyncFailure() async throws {
        let fs = FaultInjectingFileSystem(seed: 73)
        let wal = try openOnFaults(fs, durability: .async(flushInterval: .seconds(3600)), segmentSize: 8 << 20)
        try await wal.append([WALRecord(kind: .put, payload: payload("durable"))])
        try await wal.sync()
        fs.inject(FaultRule([.sync], .eio, trigger: .nth(1), pathContains: ".log"))
        for index in 0..<30 { _ = try wal.enqueue([WALRecord(kind: .put, payload: [UInt8](repeating: UInt8(index), count: 100_000))]) }
        await #expect(throws: MantisError.self) { try await wal.sync() }
        try? await wal.close()
        _ = fs.crash(.processCrash)
        fs.removeAllFaults()
        let segment = try #require(try fs.contentsOfDirectory("/db/wal").first { $0.hasSuffix(".log") })
        let before = try fs.readFile("/db/wal/" + segment)
        let end = before.lastIndex { $0 != 0 }! + 1

        let reopened = try openOnFaults(fs, durability: .async(flushInterval: .seconds(3600)), segmentSize: 8 << 20)
        #expect(try readAll(reopened).map(\.payload) == [payload("durable")])
        let broken = try fs.readFile(try #require(reopened.openReport.brokenFiles.first))
        #expect(broken.count > 2 << 20, "the cut spans several pieces: \(broken.count) bytes")
        #expect(Array(before[(end - broken.count)..<end]) == broken, "the .broken file holds exactly the bytes cut")
        let after = try fs.readFile("/db/wal/" + segment)
        #expect(after[(end - broken.count)..<end].allSatisfy { $0 == 0 }, "the cut range is zeroed")
        #expect(after[..<(end - broken.count)] == before[..<(end - broken.count)], "nothing before the cut changed")
        try await reopened.close()
    }
}
