import IntegrityKit
import MantisCore
import MantisCoreTesting
import RecoveryKit
import Testing
import WALKit

/// "Every injected bit flip in WAL, checkpoint and stored values is detected, and no corrupt
/// value is ever returned." Seeded: a failure names its seed and replays exactly.
@Suite struct CorruptionFuzzTests {
    /// What the undamaged directory holds.
    struct Original {
        var entries: [LSN: WALEntry]
        var lastLSN: LSN
        var checkpoint: String
        var pairs: [([UInt8], [UInt8])]
        var segments: [String]
        var directory: DataDirectory
    }

    static let damageCodes: Set<MantisError.Code> = [.corruption, .checksumMismatch, .unsupportedFormat, .tornWrite, .codecError]

    /// A closed database: several WAL segments (multi-key transactions, overwrites, deletes)
    /// and a checkpoint.
    static func build(_ fs: any FileSystem, directory: DataDirectory) async throws -> Original {
        let db = try AssembledDatabase(fileSystem: fs, directory: directory, segmentSize: 8 << 10)
        for index in 0..<30 {
            try await db.commit([(Fixture.key(index), Fixture.value(index)), (Fixture.key(index + 1_000), Fixture.value(index, size: 12))])
        }
        let checkpoint = try await db.checkpoint()
        for index in 0..<50 {
            var writes: [([UInt8], [UInt8]?)] = [(Fixture.key(index % 37), Fixture.value(index, version: 2, size: 20 + index))]
            if index % 7 == 0 { writes.append((Fixture.key(index + 1_000), nil)) }
            try await db.commit(writes)
        }
        try await db.close()
        var entries: [LSN: WALEntry] = [:]
        let cursor = try SegmentedWAL.readOnlyEntries(directory: directory.wal, fileSystem: fs, checksums: Fixture.checksums)
        var last = LSN.zero
        while let entry = try cursor.next() {
            entries[entry.lsn] = entry
            last = entry.lsn
        }
        var pairs: [([UInt8], [UInt8])] = []
        let reader = try CheckpointReader.open(path: checkpoint.path, fileSystem: fs, codecs: Fixture.codecs, checksums: Fixture.checksums)
        try reader.forEach { pairs.append(($0, $1)) }
        try reader.close()
        let segments = files(in: directory.wal, fs) { WALFormat.firstLSN(ofSegmentNamed: $0) != nil }
        #expect(segments.count >= 3, "the fixture should span several segments")
        #expect(pairs.count == 60)
        return Original(entries: entries, lastLSN: last, checkpoint: checkpoint.path, pairs: pairs, segments: segments, directory: directory)
    }

    /// What one run of every read path saw.
    struct Outcome {
        var verifierFindings = 0
        var cursorThrew = false
        var cursorSilentlyShort = false
        var openThrew = false
        var checkpointThrew = false
        /// Bytes returned that differ from the original: must stay empty.
        var wrongBytes: [String] = []
    }

    /// Runs every read path; records whether each detected damage and any wrong bytes.
    static func readEverything(_ fs: any FileSystem, _ original: Original) async -> Outcome {
        var outcome = Outcome()
        func isDamage(_ error: any Error) -> Bool {
            guard let error = error as? MantisError else { return false }
            return damageCodes.contains(error.code) || damageCodes.contains(error.rootCause.code)
        }
        func check(_ entry: WALEntry, _ path: String) {
            guard let expected = original.entries[entry.lsn] else {
                outcome.wrongBytes.append("\(path): LSN \(entry.lsn) was never written")
                return
            }
            if entry != expected { outcome.wrongBytes.append("\(path): LSN \(entry.lsn) differs") }
        }

        // 1. The verifier (what the scrubber runs): every record it visits must be the original.
        do {
            let report = try WALVerifier.verify(directory: original.directory.wal, fileSystem: fs, checksums: Fixture.checksums) { header, payload in
                check(WALEntry(lsn: header.lsn, kind: header.kind, transactionID: header.transactionID, payload: Array(payload)), "verifier")
            }
            outcome.verifierFindings = report.findings.count
        } catch {
            if isDamage(error) { outcome.verifierFindings = 1 } else { outcome.wrongBytes.append("verifier: unexpected \(error)") }
        }

        // 2. A read-only cursor over the whole log.
        var returned = 0
        do {
            let cursor = try SegmentedWAL.readOnlyEntries(directory: original.directory.wal, fileSystem: fs, checksums: Fixture.checksums)
            while let entry = try cursor.next() {
                check(entry, "cursor")
                returned += 1
            }
            if returned != original.entries.count { outcome.cursorSilentlyShort = true }
        } catch {
            if isDamage(error) { outcome.cursorThrew = true } else { outcome.wrongBytes.append("cursor: unexpected \(error)") }
        }

        // 3. Opening the log as recovery does (no repair: a torn tail throws), then reading it all.
        var options = SegmentedWALOptions()
        options.segmentSize = 8 << 10
        options.syncAlignment = 512
        options.prepareSegmentsAhead = false
        options.repairTornTail = false
        do {
            let wal = try SegmentedWAL.open(directory: original.directory.wal, fileSystem: fs, checksum: CRC32Checksum(), options: options)
            do {
                let cursor = try wal.entries(from: .zero)
                var count = 0
                while let entry = try cursor.next() {
                    check(entry, "open+cursor")
                    count += 1
                }
                if count != original.entries.count { outcome.wrongBytes.append("open+cursor: \(count) of \(original.entries.count) entries without an error") }
            } catch {
                if isDamage(error) { outcome.openThrew = true } else { outcome.wrongBytes.append("open+cursor: unexpected \(error)") }
            }
            try? await wal.close()
        } catch {
            if isDamage(error) { outcome.openThrew = true } else { outcome.wrongBytes.append("open: unexpected \(error)") }
        }

        // 4. The checkpoint: every pair delivered must be the original, in order.
        do {
            let reader = try CheckpointReader.open(path: original.checkpoint, fileSystem: fs, codecs: Fixture.codecs, checksums: Fixture.checksums)
            defer { try? reader.close() }
            var index = 0
            try reader.forEach { key, value in
                if index >= original.pairs.count || original.pairs[index].0 != key || original.pairs[index].1 != value {
                    outcome.wrongBytes.append("checkpoint: pair \(index) differs")
                }
                index += 1
            }
            if index != original.pairs.count { outcome.wrongBytes.append("checkpoint: \(index) of \(original.pairs.count) pairs without an error") }
        } catch {
            if isDamage(error) { outcome.checkpointThrew = true } else { outcome.wrongBytes.append("checkpoint: unexpected \(error)") }
        }
        return outcome
    }

    /// Flips one random bit of a random file `iterations` times (restoring it after each) and
    /// checks every read path.
    static func fuzzDirectEdits(_ fs: any FileSystem, original: Original, seed: UInt64, iterations: Int,
                                flip: (String, Int64, UInt8) throws -> Void) async throws -> (walFlips: Int, checkpointFlips: Int, silentShort: Int) {
        var random = SplitMix64(seed: seed)
        let targets = original.segments + [original.checkpoint]
        var counts = (walFlips: 0, checkpointFlips: 0, silentShort: 0)
        for iteration in 0..<iterations {
            let path = targets[Int(random.next() % UInt64(targets.count))]
            let size = try fs.fileSize(path)
            let offset = Int64(random.next() % UInt64(size))
            let mask = UInt8(1) << UInt8(random.next() % 8)
            try flip(path, offset, mask)
            let outcome = await readEverything(fs, original)
            try flip(path, offset, mask)
            let label = "seed \(seed) iteration \(iteration): bit \(mask) at \(path)@\(offset)"
            #expect(outcome.wrongBytes.isEmpty, "\(label): \(outcome.wrongBytes)")
            if path == original.checkpoint {
                counts.checkpointFlips += 1
                #expect(outcome.checkpointThrew, "\(label): the checkpoint reader did not detect the flip")
            } else {
                counts.walFlips += 1
                #expect(outcome.verifierFindings > 0, "\(label): the verifier did not detect the flip")
                #expect(outcome.openThrew, "\(label): opening and reading the log as recovery does did not detect the flip")
                if outcome.cursorSilentlyShort { counts.silentShort += 1 }
            }
        }
        // Undamaged again: everything reads back complete.
        let clean = await readEverything(fs, original)
        #expect(clean.wrongBytes.isEmpty && clean.verifierFindings == 0 && !clean.cursorThrew && !clean.openThrew && !clean.checkpointThrew)
        return counts
    }

    @Test(arguments: [UInt64(0xF00D), 0xBEEF])
    func bitRotAtRestInTheFaultInjectingFileSystem(seed: UInt64) async throws {
        let fs = FaultInjectingFileSystem(seed: seed)
        let original = try await Self.build(fs, directory: DataDirectory("/data"))
        let counts = try await Self.fuzzDirectEdits(fs, original: original, seed: seed, iterations: 250) { path, offset, mask in
            try fs.corrupt(path: path, offset: offset, xor: mask)
        }
        #expect(counts.walFlips > 100 && counts.checkpointFlips > 20)
        Self.reportSilentShortReads(counts.silentShort, of: counts.walFlips)
    }

    @Test func directByteEditsOfRealFiles() async throws {
        let root = try TemporaryDirectory.make(prefix: "mantis-fuzz")
        defer { try? TemporaryDirectory.remove(root) }
        let fs = PosixFileSystem()
        let original = try await Self.build(fs, directory: DataDirectory(Path.join(root, "data")))
        let counts = try await Self.fuzzDirectEdits(fs, original: original, seed: 0xCAFE, iterations: 120) { path, offset, mask in
            let file = try fs.openFile(path, options: .readWrite)
            defer { try? file.close() }
            var byte = try file.read(count: 1, at: offset)
            byte[0] ^= mask
            try file.write(byte, at: offset)
        }
        #expect(counts.walFlips > 40)
        Self.reportSilentShortReads(counts.silentShort, of: counts.walFlips)
    }

    /// Transient bit flips on read (`flipBitsOnRead`): whatever is returned is the original.
    @Test func bitFlipsOnReadNeverReachTheCaller() async throws {
        let fs = FaultInjectingFileSystem(seed: 0xD1CE)
        let original = try await Self.build(fs, directory: DataDirectory("/data"))
        var detected = 0
        for probability in [0.02, 0.1, 0.5, 1.0] {
            fs.flipBitsOnRead(probability: probability, pathContains: "/data/")
            for run in 0..<12 {
                let faults = fs.injectedFaults.count
                let outcome = await Self.readEverything(fs, original)
                #expect(outcome.wrongBytes.isEmpty, "probability \(probability) run \(run): \(outcome.wrongBytes)")
                if fs.injectedFaults.count > faults && (outcome.checkpointThrew || outcome.openThrew || outcome.cursorThrew || outcome.verifierFindings > 0) {
                    detected += 1
                }
            }
        }
        fs.flipBitsOnRead(probability: 0, pathContains: "/data/")
        #expect(detected > 20)
        let clean = await Self.readEverything(fs, original)
        #expect(clean.wrongBytes.isEmpty && clean.verifierFindings == 0 && !clean.checkpointThrew)
    }

    /// Stored values: a value's checksum (as the store keeps it) catches every single-bit flip
    /// and every random multi-byte edit. (`MVCCStore.corrupt` is `package` in TxnKit, so the
    /// store's own read path is exercised by TxnKit's tests; see Docs/integrity.md.)
    @Test func storedValueChecksumsCatchEveryFlip() throws {
        var random = SplitMix64(seed: 0x5EED)
        for algorithm in Fixture.checksums {
            for _ in 0..<200 {
                let value = Fixture.value(Int(random.next() % 10_000), size: 1 + Int(random.next() % 300))
                let stored = algorithm.checksum(value)
                try algorithm.verify(value, expected: stored, context: ErrorContext(key: [1]))
                var damaged = value
                let bit = Int(random.next() % UInt64(value.count * 8))
                damaged[bit / 8] ^= UInt8(1) << UInt8(bit % 8)
                let error = try #require(throws: MantisError.self) {
                    try algorithm.verify(damaged, expected: stored, context: ErrorContext(operation: "mvcc.read", key: [1]))
                }
                #expect(error.code == .checksumMismatch)
                var edited = value
                let start = Int(random.next() % UInt64(value.count))
                for index in start..<min(value.count, start + 4) { edited[index] = ~edited[index] }
                #expect(throws: MantisError.self) { try algorithm.verify(edited, expected: stored, context: ErrorContext()) }
            }
        }
    }

    static func reportSilentShortReads(_ count: Int, of flips: Int) {
        #expect(count == 0, "a WAL cursor reading to the end stopped early without an error on \(count) of \(flips) flips")
    }
}
