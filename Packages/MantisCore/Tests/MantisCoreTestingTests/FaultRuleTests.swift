import MantisCore
import MantisCoreTesting
import Testing

@Suite struct FaultRuleTests {
    func fileSystemWithFile(seed: UInt64 = 1) throws -> (FaultInjectingFileSystem, any StorageFile) {
        let fs = FaultInjectingFileSystem(seed: seed)
        try fs.createDirectory("/db")
        return (fs, try fs.openFile("/db/wal", options: .createNew))
    }

    @Test func nthFiresOnExactlyTheNthWrite() throws {
        let (fs, file) = try fileSystemWithFile()
        fs.inject(FaultRule([.write], trigger: .nth(3)))
        var failed: [Int] = []
        for index in 1...6 {
            do {
                try file.write([UInt8(index)], at: Int64(index - 1))
            } catch let error as MantisError {
                #expect(error.code == .ioError)
                failed.append(index)
            }
        }
        #expect(failed == [3])
        #expect(fs.operationCount(.write) == 6)
        #expect(fs.injectedFaults.count == 1)
        #expect(fs.injectedFaults.first?.contains("write EIO /db/wal @2") == true)
        #expect(try file.readAll() == [1, 2, 0, 4, 5, 6])
    }

    @Test func nthCountsFromWhenTheRuleWasAdded() throws {
        let (fs, file) = try fileSystemWithFile()
        try file.write([1], at: 0)
        try file.write([2], at: 1)
        fs.inject(FaultRule([.write], trigger: .nth(1)))
        #expect(mantisError { try file.write([3], at: 2) }?.code == .ioError)
        try file.write([4], at: 3)
    }

    @Test func fromNthIsADeadDisk() throws {
        let (fs, file) = try fileSystemWithFile()
        fs.inject(FaultRule([.write], trigger: .fromNth(2)))
        fs.inject(FaultRule([.sync], trigger: .fromNth(2)))
        try file.write([1], at: 0)  // write 1
        try file.sync()  // sync 1
        for index in 0..<5 {
            #expect(mantisError { try file.write([1], at: Int64(index)) }?.code == .ioError)
            #expect(mantisError { try file.sync() }?.code == .syncFailed)
        }
        #expect(fs.injectedFaults.count == 10)
        fs.removeAllFaults()
        try file.write([1], at: 0)
        try file.sync()
    }

    @Test func probabilityIsRoughlyRightAndReplays() throws {
        func failures(seed: UInt64) throws -> [Int] {
            let (fs, file) = try fileSystemWithFile(seed: seed)
            fs.inject(FaultRule([.write], trigger: .probability(0.25)))
            var failed: [Int] = []
            for index in 0..<2000 {
                do { try file.write([1], at: 0) } catch { failed.append(index) }
            }
            #expect(fs.injectedFaults.count == failed.count)
            return failed
        }
        let first = try failures(seed: 77)
        #expect((400...600).contains(first.count), "\(first.count) of 2000 failed at p = 0.25")
        #expect(try failures(seed: 77) == first)
        #expect(try failures(seed: 78) != first)
    }

    @Test func pathContainsLimitsARule() throws {
        let fs = FaultInjectingFileSystem(seed: 1)
        try fs.createDirectory("/db")
        let wal = try fs.openFile("/db/wal-1", options: .createNew)
        let data = try fs.openFile("/db/data", options: .createNew)
        fs.inject(FaultRule([.write], trigger: .fromNth(1), pathContains: "wal"))
        try data.write([1], at: 0)
        #expect(mantisError { try wal.write([1], at: 0) }?.code == .ioError)
        try data.write([2], at: 1)
    }

    @Test func everyOperationCanFailWithTheCodesPosixUses() throws {
        let fs = FaultInjectingFileSystem(seed: 1)
        try fs.createDirectory("/db")
        try makeDurableFile(fs, "/db/a", bytes(1, 100))
        let file = try fs.openFile("/db/a", options: .readWrite)
        fs.inject(FaultRule(Set(FaultOperation.allCases), trigger: .fromNth(1)))
        let cases: [(FaultOperation, MantisError.Code, () throws -> Void)] = [
            (.open, .ioError, { _ = try fs.openFile("/db/a", options: .readOnly) }),
            (.read, .ioError, { _ = try file.read(count: 10, at: 0) }),
            (.write, .ioError, { try file.write([1], at: 0) }),
            (.sync, .syncFailed, { try file.sync() }),
            (.sync, .syncFailed, { try file.syncData() }),
            (.directorySync, .syncFailed, { try fs.syncDirectory("/db") }),
            (.rename, .ioError, { try fs.rename("/db/a", to: "/db/b") }),
            (.remove, .ioError, { try fs.removeItem("/db/a") }),
            (.truncate, .ioError, { try file.truncate(to: 0) }),
            (.preallocate, .ioError, { try file.preallocate(1000) }),
            (.list, .ioError, { _ = try fs.contentsOfDirectory("/db") }),
        ]
        for (operation, code, call) in cases {
            let error = mantisError(call)
            #expect(error?.code == code, "\(operation)")
            #expect(error?.context.errno == 5, "\(operation)")
            #expect(error?.context.file?.hasPrefix("/db") == true, "\(operation)")
            #expect(error?.message.contains("injected") == true, "\(operation)")
        }
        #expect(fs.injectedFaults.count == cases.count)
        fs.removeAllFaults()
        #expect(try fs.readFile("/db/a") == bytes(1, 100))
        #expect(try fs.contentsOfDirectory("/db") == ["a"])
    }

    @Test func enospcMapsToDiskFull() throws {
        let (fs, file) = try fileSystemWithFile()
        fs.inject(FaultRule([.write, .sync], .enospc, trigger: .fromNth(1)))
        let write = mantisError { try file.write([1], at: 0) }
        #expect(write?.code == .diskFull)
        #expect(write?.context.errno == 28)
        #expect(mantisError { try file.sync() }?.code == .diskFull)
    }

    @Test func aFailedWriteKeepsAPrefixOfWholeSectors() throws {
        var kept: Set<Int> = []
        for seed in UInt64(0)..<40 {
            let (fs, file) = try fileSystemWithFile(seed: seed)
            fs.inject(FaultRule([.write], trigger: .nth(1)))
            let error = mantisError { try file.write(bytes(0x77, 4000), at: 100) }
            let content = try file.readAll()
            let end = content.count
            #expect(end == 0 || end % 512 == 0, "seed \(seed): short write ended at \(end)")
            #expect(end < 4100)
            if end > 0 { #expect(content[100...].allSatisfy { $0 == 0x77 } && content[..<100].allSatisfy { $0 == 0 }) }
            #expect(error?.context.offset == Int64(max(end, 100)), "seed \(seed)")
            kept.insert(end)
        }
        #expect(kept.contains(0))
        #expect(kept.count >= 4, "\(kept.sorted())")
    }

    @Test func aFailedWriteIsNotDurable() throws {
        let (fs, file) = try fileSystemWithFile(seed: 3)
        try fs.syncDirectory("/db")
        fs.inject(FaultRule([.write], trigger: .nth(1)))
        _ = mantisError { try file.write(bytes(1, 4096), at: 0) }
        fs.crash(.dropUnsynced)
        #expect(try fs.readFile("/db/wal").isEmpty)
    }
}
