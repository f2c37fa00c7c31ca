import MantisCore
import MantisCoreTesting
import Testing
@testable import WALKit

@Suite("A failed sync inside the open") struct UnsyncedTailTests {
    /// A log whose last record ("unsynced") was handed to the kernel and never synced, left by
    /// a writer that died (its object abandoned: nothing syncs it).
    func logWithUnsyncedTail(_ fs: FaultInjectingFileSystem) async throws {
        let writer = try openOnFaults(fs, durability: .os)
        try await writer.append([WALRecord(kind: .put, payload: payload("durable"))])
        try await writer.sync()
        try await writer.append([WALRecord(kind: .put, payload: payload("unsynced"))])
    }

    @Test("when the open's sync of the tail fails, the next open rewrites the tail before trusting it, so later commits survive a power loss")
    func rewriteAfterFailedOpenSync() async throws {
        let fs = FaultInjectingFileSystem(seed: 31)
        try await logWithUnsyncedTail(fs)
        fs.inject(FaultRule([.sync], .eio, trigger: .nth(1), pathContains: ".log"))
        #expect(throws: MantisError.self) { _ = try openOnFaults(fs) }
        #expect(fs.fileExists("/db/wal/tail-unsynced"), "the failed open left its marker")

        // The kernel still shows the record whose sync failed; the next open must not just trust it.
        fs.removeAllFaults()
        let reopened = try openOnFaults(fs)
        #expect(reopened.openReport.segmentsRewrittenAfterFailedSync == 1)
        #expect(!fs.fileExists("/db/wal/tail-unsynced"), "the marker is removed once the rewrite is durable")
        #expect(try readAll(reopened).map(\.payload) == [payload("durable"), payload("unsynced")])
        try await reopened.append([WALRecord(kind: .put, payload: payload("acknowledged"))])
        try await reopened.close()

        _ = fs.crash(.dropUnsynced)
        let afterPowerLoss = try openOnFaults(fs)
        #expect(try readAll(afterPowerLoss).map(\.payload) == [payload("durable"), payload("unsynced"), payload("acknowledged")],
                "a commit acknowledged after the recovered tail was lost: the tail was trusted although a sync of it had failed")
        try await afterPowerLoss.close()
    }

    @Test("a torn tail whose cut fails to sync is rewritten by the next open")
    func failedCutSync() async throws {
        let fs = FaultInjectingFileSystem(seed: 37)
        try await logWithUnsyncedTail(fs)
        // Garble the last record's payload so the open cuts it as a torn tail.
        let segment = try fs.contentsOfDirectory("/db/wal").first { $0.hasSuffix(".log") }!
        let file = try fs.openFile("/db/wal/" + segment, options: .readWrite)
        let bytes = try file.read(count: 4096, at: 0)
        let at = Int64(bytes.lastIndex(where: { $0 != 0 })!)
        try file.write([bytes[Int(at)] ^ 0xFF], at: at)
        try file.close()
        // The first sync is of the `.broken` copy of the cut bytes; the second, the cut segment.
        fs.inject(FaultRule([.sync], .eio, trigger: .nth(2), pathContains: ".log"))
        #expect(throws: MantisError.self) { _ = try openOnFaults(fs) }
        #expect(fs.fileExists("/db/wal/tail-unsynced"))
        fs.removeAllFaults()
        let reopened = try openOnFaults(fs)
        #expect(reopened.openReport.segmentsRewrittenAfterFailedSync == 1)
        #expect(try readAll(reopened).map(\.payload) == [payload("durable")])
        try await reopened.append([WALRecord(kind: .put, payload: payload("acknowledged"))])
        try await reopened.close()
        _ = fs.crash(.dropUnsynced)
        let afterPowerLoss = try openOnFaults(fs)
        #expect(try readAll(afterPowerLoss).map(\.payload) == [payload("durable"), payload("acknowledged")])
        try await afterPowerLoss.close()
    }

    @Test("a rewrite whose sync fails again keeps the marker; a damaged or dangling marker stops the open, naming it")
    func markerOutlivesFailures() async throws {
        let fs = FaultInjectingFileSystem(seed: 41)
        try await logWithUnsyncedTail(fs)
        fs.inject(FaultRule([.sync], .eio, trigger: .nth(1), pathContains: ".log"))
        #expect(throws: MantisError.self) { _ = try openOnFaults(fs) }
        fs.inject(FaultRule([.sync], .eio, trigger: .nth(1), pathContains: ".log"))
        #expect(throws: MantisError.self) { _ = try openOnFaults(fs) }
        #expect(fs.fileExists("/db/wal/tail-unsynced"), "a failed rewrite keeps the marker")
        fs.removeAllFaults()

        let marker = try fs.readFile("/db/wal/tail-unsynced")
        var damaged = marker
        damaged[10] ^= 0x01
        try fs.writeFileAtomically("/db/wal/tail-unsynced", contents: damaged)
        #expect { _ = try openOnFaults(fs) } throws: { error in
            let error = error as? MantisError
            return error?.code == .corruption && error?.context.file == "/db/wal/tail-unsynced" && error?.message.contains("checksum mismatch") == true
        }
        try fs.writeFileAtomically("/db/wal/tail-unsynced", contents: UnsyncedTailMarker(segment: "wal-00000000000000ff.log").encoded())
        #expect { _ = try openOnFaults(fs) } throws: { error in
            (error as? MantisError)?.message.contains("names segment wal-00000000000000ff.log, which is not in the log") == true
        }
        try fs.writeFileAtomically("/db/wal/tail-unsynced", contents: marker)
        let reopened = try openOnFaults(fs)
        #expect(try readAll(reopened).map(\.payload) == [payload("durable"), payload("unsynced")])
        try await reopened.close()
    }

    @Test("wal verify calls a marker naming a missing segment damage (exit 2), as the open refuses the log")
    func danglingMarkerVerdict() async throws {
        for (name, marker) in [(UnsyncedTailMarker.fileName, UnsyncedTailMarker(segment: "wal-00000000000000ff.log").encoded()),
                               (SyncFailureMarker.fileName, SyncFailureMarker(segment: "wal-00000000000000ff.log", length: 64, lsn: .zero).encoded())] {
            let fs = FaultInjectingFileSystem(seed: 43)
            let writer = try openOnFaults(fs)
            try await writer.append([WALRecord(kind: .put, payload: payload("durable"))])
            try await writer.close()
            try fs.writeFileAtomically("/db/wal/" + name, contents: marker)
            let report = try WALVerifier.verify(directory: "/db/wal", fileSystem: fs, checksums: [crc32])
            #expect { _ = try openOnFaults(fs) } throws: { ($0 as? MantisError)?.code == .corruption }
            #expect(report.exitCode == 2, "\(name): \(report.markers)")
            #expect(report.markers.damage.first?.contains("names segment wal-00000000000000ff.log, which is not in the log") == true)
        }
    }

    @Test("a segment a crashed writer created without its directory fsync is made durable by the next open before it appends")
    func openSyncsTheDirectory() async throws {
        let fs = FaultInjectingFileSystem(seed: 67)
        let writer = try openOnFaults(fs)  // 64 KiB segments, created on demand
        let big = [UInt8](repeating: 7, count: 20_000)
        for _ in 0..<3 { try await writer.append([WALRecord(kind: .put, payload: big)]) }
        // The fourth record needs a new segment: renamed into place, then its directory fsync fails
        // and the writer dies with the log failed.
        fs.inject(FaultRule([.directorySync], .eio, trigger: .nth(1)))
        await #expect(throws: MantisError.self) { try await writer.append([WALRecord(kind: .put, payload: big)]) }
        fs.removeAllFaults()
        let segments = try fs.contentsOfDirectory("/db/wal").filter { $0.hasSuffix(".log") }
        try #require(segments.count == 2, "\(segments)")

        let reopened = try openOnFaults(fs)
        try await reopened.append([WALRecord(kind: .put, payload: payload("acknowledged"))])
        _ = fs.crash(.dropUnsynced)  // power loss before anything else syncs the directory
        let again = try openOnFaults(fs)
        #expect(try readAll(again).last?.payload == payload("acknowledged"), "an acknowledged record vanished with its segment's name")
        try await again.close()
    }
}
