import MantisCore
import MantisCoreTesting
import Testing

@Suite struct GarbleTests {
    @Test func onlySectorsTouchedByUnsyncedWritesChange() throws {
        var seen = (new: 0, old: 0, garbage: 0)
        for seed in UInt64(0)..<40 {
            let fs = FaultInjectingFileSystem(seed: seed)
            try fs.createDirectory("/db")
            try makeDurableFile(fs, "/db/data", bytes(0xAA, 8192))
            let file = try fs.openFile("/db/data", options: .readWrite)
            // [2148, 3948) touches sectors 4...7, partly at both ends.
            try file.write(bytes(0x55, 1800), at: 2148)
            var expectedNew = bytes(0xAA, 8192)
            expectedNew.replaceSubrange(2148..<3948, with: bytes(0x55, 1800))

            let report = fs.crash(.garbleUnsynced)
            let content = try fs.readFile("/db/data")
            #expect(content.count == 8192)
            let outcome = try #require(report.files.first)
            var garbageHere: [Int64] = []
            for sector in 0..<16 {
                let range = (sector * 512)..<((sector + 1) * 512)
                let got = Array(content[range])
                if !(4...7).contains(sector) {
                    #expect(got == bytes(0xAA, 512), "seed \(seed): untouched sector \(sector) changed")
                    continue
                }
                if got == Array(expectedNew[range]) {
                    seen.new += 1
                    #expect(outcome.newSectors.contains(Int64(sector)))
                } else if got == bytes(0xAA, 512) {
                    seen.old += 1
                    #expect(outcome.oldSectors.contains(Int64(sector)))
                } else {
                    seen.garbage += 1
                    garbageHere.append(Int64(sector))
                }
            }
            #expect(!garbageHere.isEmpty, "seed \(seed): no garbage sector")
            #expect(outcome.garbageSectors == garbageHere, "seed \(seed)")
            #expect(report.sectorsGarbled == garbageHere.count)
        }
        // Roughly a third each (160 sectors; at least one garbage per crash skews a little).
        #expect(seen.new > 25 && seen.old > 25 && seen.garbage > 25, "\(seen)")
    }

    @Test func growthPastTheOldEndReadsNewZeroesOrGarbage() throws {
        var seen = (new: 0, zeroes: 0, garbage: 0)
        for seed in UInt64(0)..<20 {
            let fs = FaultInjectingFileSystem(seed: seed)
            try fs.createDirectory("/db")
            try makeDurableFile(fs, "/db/wal", bytes(0xAA, 1024))
            let file = try fs.openFile("/db/wal", options: .readWrite)
            try file.append(bytes(0x55, 1024))
            fs.crash(.garbleUnsynced)
            let content = try fs.readFile("/db/wal")
            #expect(content.count == 2048)
            #expect(content[..<1024].allSatisfy { $0 == 0xAA }, "seed \(seed): synced sectors changed")
            for sector in 2..<4 {
                let got = Array(content[(sector * 512)..<((sector + 1) * 512)])
                if got == bytes(0x55, 512) {
                    seen.new += 1
                } else if got == bytes(0, 512) {
                    seen.zeroes += 1  // the old content of a sector past the old end
                } else {
                    seen.garbage += 1
                }
            }
        }
        #expect(seen.new > 0 && seen.zeroes > 0 && seen.garbage >= 20, "\(seen)")
    }

    @Test func atLeastOneGarbageSectorAcrossTheCrash() throws {
        // A single one-sector write: without the guarantee 2 seeds in 3 would show no garbage.
        for seed in UInt64(0)..<20 {
            let fs = FaultInjectingFileSystem(seed: seed)
            try fs.createDirectory("/db")
            try makeDurableFile(fs, "/db/a", bytes(0, 512))
            let file = try fs.openFile("/db/a", options: .readWrite)
            try file.write([1], at: 0)
            let report = fs.crash(.garbleUnsynced)
            #expect(report.sectorsGarbled == 1)
            let content = try fs.readFile("/db/a")
            #expect(content != bytes(0, 512) && content != [1] + bytes(0, 511), "seed \(seed)")
        }
    }

    @Test func noUnsyncedWriteMeansNoGarbage() throws {
        let fs = FaultInjectingFileSystem(seed: 9)
        try fs.createDirectory("/db")
        try makeDurableFile(fs, "/db/a", bytes(3, 4096))
        let report = fs.crash(.garbleUnsynced)
        #expect(report.sectorsGarbled == 0)
        #expect(try fs.readFile("/db/a") == bytes(3, 4096))
    }
}
