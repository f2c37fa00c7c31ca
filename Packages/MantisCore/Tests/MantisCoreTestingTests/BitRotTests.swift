import MantisCore
import MantisCoreTesting
import Testing

@Suite struct BitRotTests {
    @Test func aReadFlipsExactlyOneBitTransiently() throws {
        let fs = FaultInjectingFileSystem(seed: 1)
        try fs.createDirectory("/db")
        let stored = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try makeDurableFile(fs, "/db/a", stored)
        fs.flipBitsOnRead(probability: 1)
        for _ in 0..<20 {
            let read = try fs.readFile("/db/a")
            #expect(read.count == stored.count)
            #expect(bitDistance(read, stored) == 1)
        }
        #expect(fs.injectedFaults.count == 20)
        #expect(fs.injectedFaults.allSatisfy { $0.contains("bit flip") })
        fs.removeAllFaults()
        #expect(try fs.readFile("/db/a") == stored)
        #expect(fs.durableContents(of: "/db/a") == stored)
    }

    @Test func flipsFollowProbabilityAndPath() throws {
        let fs = FaultInjectingFileSystem(seed: 2)
        try fs.createDirectory("/db")
        try makeDurableFile(fs, "/db/checkpoint", bytes(0, 64))
        try makeDurableFile(fs, "/db/wal", bytes(0, 64))
        fs.flipBitsOnRead(probability: 0.5, pathContains: "checkpoint")
        var flipped = 0
        for _ in 0..<400 {
            if try fs.readFile("/db/checkpoint") != bytes(0, 64) { flipped += 1 }
            #expect(try fs.readFile("/db/wal") == bytes(0, 64))
        }
        #expect((140...260).contains(flipped), "\(flipped) of 400 reads flipped at p = 0.5")
    }

    @Test func corruptionAtRestSurvivesACrash() throws {
        let fs = FaultInjectingFileSystem(seed: 3)
        try fs.createDirectory("/db")
        try makeDurableFile(fs, "/db/a", bytes(0x10, 100))
        try fs.corrupt(path: "/db/a", offset: 10, xor: 0x04)
        var expected = bytes(0x10, 100)
        expected[10] = 0x14
        #expect(try fs.readFile("/db/a") == expected)
        #expect(fs.durableContents(of: "/db/a") == expected)
        for mode in CrashMode.allCases {
            fs.crash(mode)
            #expect(try fs.readFile("/db/a") == expected, "\(mode)")
        }
        #expect(fs.injectedFaults == ["#1 gen 0 corrupt xor 0x4 /db/a @10"])
    }

    @Test func corruptionOfUnsyncedBytesSurvivesTheirSync() throws {
        let fs = FaultInjectingFileSystem(seed: 4)
        try fs.createDirectory("/db")
        try makeDurableFile(fs, "/db/a", [])
        let file = try fs.openFile("/db/a", options: .readWrite)
        try file.write(bytes(1, 10), at: 0)
        try fs.corrupt(path: "/db/a", offset: 3, xor: 0x80)
        try file.sync()
        fs.crash(.dropUnsynced)
        #expect(try fs.readFile("/db/a") == [1, 1, 1, 0x81, 1, 1, 1, 1, 1, 1])
    }

    @Test func corruptRejectsMissingFilesAndOffsets() throws {
        let fs = FaultInjectingFileSystem(seed: 5)
        try fs.createDirectory("/db")
        try makeDurableFile(fs, "/db/a", [1])
        #expect(mantisError { try fs.corrupt(path: "/db/none", offset: 0, xor: 1) }?.code == .notFound)
        #expect(mantisError { try fs.corrupt(path: "/db/a", offset: 1, xor: 1) }?.code == .invalidArgument)
    }
}

@Suite struct BitFlipSettingTests {
    @Test func probabilityZeroTurnsFlipsOff() throws {
        let fs = FaultInjectingFileSystem(seed: 6)
        try fs.createDirectory("/db")
        try makeDurableFile(fs, "/db/a", bytes(0, 32))
        fs.flipBitsOnRead(probability: 1)
        #expect(try fs.readFile("/db/a") != bytes(0, 32))
        fs.flipBitsOnRead(probability: 0)
        #expect(try fs.readFile("/db/a") == bytes(0, 32))
    }
}
