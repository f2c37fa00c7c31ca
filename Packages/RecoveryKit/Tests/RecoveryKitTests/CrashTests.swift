import MantisCore
import MantisCoreTesting
import RecoveryKit
import Testing

@Suite("Crashes") struct CrashTests {
    static let directory = "/db/checkpoints"
    static let finalName = CheckpointFormat.fileName(lsn: 42)
    static let temporaryName = CheckpointFormat.temporaryFileName(lsn: 42)

    /// After a crash: nothing but the checkpoint or its temporary file, and the checkpoint — if
    /// there — complete and verifying. If `finish()` returned, it must be there.
    static func checkAfterCrash(_ fs: FaultInjectingFileSystem, entries: [Entry], finished: Bool, _ context: String) {
        let names = (try? fs.contentsOfDirectory(directory)) ?? []
        #expect(names.allSatisfy { $0 == finalName || $0 == temporaryName }, "\(context): unexpected files \(names)")
        let path = Path.join(directory, finalName)
        if names.contains(finalName) {
            do {
                let read = try readCheckpoint(path, fileSystem: fs)
                #expect(sameEntries(read, entries), "\(context): the renamed checkpoint holds other entries")
            } catch {
                Issue.record("\(context): a renamed checkpoint does not verify: \(error)")
            }
        } else {
            #expect(!finished, "\(context): finish() returned, but the checkpoint did not survive the crash")
        }
    }

    @Test("halting the machine after every possible number of calls, in every crash mode, leaves no checkpoint or a complete one",
          arguments: [1 as UInt64, 2, 3, 4])
    func haltAfterEveryCall(seed: UInt64) throws {
        let entries = makeEntries(count: 60, seed: seed)
        let blockSize = 150 + Int(seed) * 50
        let probe = HaltingFileSystem(FaultInjectingFileSystem(seed: seed))
        try writeCheckpoint(entries, fileSystem: probe, blockSize: blockSize)
        let total = probe.count
        #expect(total > 20)
        var survived = 0
        for mode in CrashMode.allCases {
            for haltAfter in 0...total {
                let fs = FaultInjectingFileSystem(seed: seed &* 10_007 &+ UInt64(haltAfter))
                let counting = HaltingFileSystem(fs, haltAfter: haltAfter)
                let finished = (try? writeCheckpoint(entries, fileSystem: counting, blockSize: blockSize)) != nil
                #expect(finished == (haltAfter >= total), "seed \(seed): halted after \(haltAfter) of \(total) calls")
                let report = fs.crash(mode)
                fs.restart()
                Self.checkAfterCrash(fs, entries: entries, finished: finished,
                                     "seed \(seed) \(mode), halted after \(haltAfter) of \(total) calls (\(report))")
                if fs.fileExists(Path.join(Self.directory, Self.finalName)) { survived += 1 }
            }
        }
        // Only the runs that got past the rename keep a checkpoint (all of them after a process
        // crash, only those past the directory fsync otherwise).
        #expect(survived > 0 && survived < 4 * (total + 1), "seed \(seed): \(survived) runs kept a checkpoint")
    }

    @Test("random crashes during finish(): random codec, block size, entry sizes and crash mode", arguments: Array(UInt64(100)..<UInt64(140)))
    func randomCrashDuringFinish(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let count = Int(random.next() % 400)
        let entries = makeEntries(count: count, seed: seed, valueLength: { _, random in Int(random.next() % 1000) })
        let blockSize = [64, 1000, 4096, 65536][Int(random.next() % 4)]
        let codec: any CheckpointCodec = random.next() % 2 == 0 ? noneCodec : rleCodec
        let mode = CrashMode.allCases[Int(random.next() % UInt64(CrashMode.allCases.count))]
        let context = "seed \(seed) (\(count) entries, block size \(blockSize), \(codec.name), \(mode))"

        // Count the calls up to finish() and through it.
        let probe = HaltingFileSystem(FaultInjectingFileSystem(seed: seed))
        let probeWriter = try CheckpointWriter(directory: Self.directory, lsn: 42, nextTransactionID: 1, codec: codec,
                                               checksum: crc32, fileSystem: probe, blockSize: blockSize)
        for entry in entries { try probeWriter.append(key: entry.key, value: entry.value) }
        let beforeFinish = probe.count
        try probeWriter.finish()
        let total = probe.count
        let haltAfter = beforeFinish + Int(random.next() % UInt64(total - beforeFinish + 1))

        let fs = FaultInjectingFileSystem(seed: seed)
        let counting = HaltingFileSystem(fs, haltAfter: haltAfter)
        let writer = try CheckpointWriter(directory: Self.directory, lsn: 42, nextTransactionID: 1, codec: codec,
                                          checksum: crc32, fileSystem: counting, blockSize: blockSize)
        for entry in entries { try writer.append(key: entry.key, value: entry.value) }
        let finished = (try? writer.finish()) != nil
        let report = fs.crash(mode)
        fs.restart()
        Self.checkAfterCrash(fs, entries: entries, finished: finished, "\(context), halted after \(haltAfter) of \(total) calls: \(report)")
    }

    @Test("an injected error on any write, sync, rename or directory sync: finish throws, and a crash after it leaves no bad checkpoint",
          arguments: [FaultOperation.write, .sync, .rename, .directorySync])
    func injectedErrors(operation: FaultOperation) throws {
        let entries = makeEntries(count: 40, seed: 31)
        let probe = FaultInjectingFileSystem(seed: 31)
        try writeCheckpoint(entries, fileSystem: probe, blockSize: 300)
        let calls = probe.operationCount(operation)
        for nth in 1...calls {
            for mode in CrashMode.allCases {
                let seed = 31 &+ UInt64(nth)
                let fs = FaultInjectingFileSystem(seed: seed)
                fs.inject(FaultRule([operation], .eio, trigger: .nth(nth), pathContains: "/db"))
                let context = "seed \(seed): EIO on \(operation) #\(nth) of \(calls), then \(mode)"
                var finished = false
                do {
                    try writeCheckpoint(entries, fileSystem: fs, blockSize: 300)
                    finished = true
                    Issue.record("\(context): finish() succeeded")
                } catch let error as MantisError {
                    #expect(error.code == (operation == .sync || operation == .directorySync ? .syncFailed : .ioError), "\(context): \(error)")
                }
                // Before the rename, the writer removed its temporary file.
                let names = try fs.contentsOfDirectory(Self.directory)
                if operation != .directorySync { #expect(names.isEmpty, "\(context): left \(names)") }
                fs.crash(mode)
                Self.checkAfterCrash(fs, entries: entries, finished: finished, context)
            }
        }
    }

    @Test("a failed fsync is not retried: one sync call, no checkpoint, no temporary file")
    func syncNotRetried() throws {
        let fs = FaultInjectingFileSystem(seed: 32)
        fs.inject(FaultRule([.sync], .eio, trigger: .fromNth(1)))
        #expect { try writeCheckpoint(makeEntries(count: 10, seed: 32), fileSystem: fs) } throws: { error in
            (error as? MantisError)?.code == .syncFailed
        }
        #expect(fs.operationCount(.sync) == 1)
        #expect(fs.operationCount(.rename) == 0)
        #expect(try fs.contentsOfDirectory(Self.directory).isEmpty)
    }
}
