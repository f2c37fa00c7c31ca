import MantisCore
import MantisCoreTesting
import Testing

@Suite struct TornPrefixTests {
    /// A durable file of 0xAA with one unsynced, unaligned write of 0x55 over [300, 5300),
    /// crashed with `.tornPrefix`. Returns the end of the surviving part of the write and the report.
    func tornWrite(seed: UInt64) throws -> (end: Int, content: [UInt8], report: CrashReport) {
        let fs = FaultInjectingFileSystem(seed: seed)
        try fs.createDirectory("/db")
        try makeDurableFile(fs, "/db/log", bytes(0xAA, 8192))
        let file = try fs.openFile("/db/log", options: .readWrite)
        try file.write(bytes(0x55, 5000), at: 300)
        let report = fs.crash(.tornPrefix)
        let content = try fs.readFile("/db/log")
        let end = content[300...].firstIndex(of: 0xAA) ?? content.count
        return (end, content, report)
    }

    @Test func aWriteIsCutExactlyAtASectorBoundary() throws {
        var ends: Set<Int> = []
        for seed in UInt64(0)..<48 {
            let (end, content, report) = try tornWrite(seed: seed)
            #expect(content.count == 8192)
            #expect(content[..<300].allSatisfy { $0 == 0xAA }, "seed \(seed): bytes before the write changed")
            #expect(content[300..<end].allSatisfy { $0 == 0x55 }, "seed \(seed)")
            #expect(content[end...].allSatisfy { $0 == 0xAA }, "seed \(seed): more than a prefix survived")
            #expect(end == 300 || end == 5300 || end % 512 == 0, "seed \(seed): cut at \(end), not a sector boundary")
            let outcome = try #require(report.files.first)
            if end > 300 && end < 5300 {
                #expect(outcome.tornAt == Int64(end), "seed \(seed)")
                #expect(report.writesTorn == 1)
            } else {
                #expect(outcome.tornAt == nil, "seed \(seed)")
            }
            ends.insert(end)
        }
        // Different seeds give different cuts: none, whole, and several sector boundaries.
        #expect(ends.contains(300))
        #expect(ends.count >= 5, "cuts seen: \(ends.sorted())")
    }

    @Test func theSameSeedGivesTheSameCut() throws {
        for seed in UInt64(100)..<110 {
            let first = try tornWrite(seed: seed)
            let second = try tornWrite(seed: seed)
            #expect(first.content == second.content)
            #expect(first.report.description == second.report.description)
        }
    }

    @Test func aPrefixOfSeveralWritesSurvivesInOrder() throws {
        var lengths: Set<Int> = []
        for seed in UInt64(0)..<40 {
            let fs = FaultInjectingFileSystem(seed: seed)
            try fs.createDirectory("/db")
            try makeDurableFile(fs, "/db/wal", [])
            let file = try fs.openFile("/db/wal", options: .readWrite)
            var full: [UInt8] = []
            for record in 0..<10 {
                let bytes = bytes(UInt8(record + 1), 700)
                try file.append(bytes)
                full += bytes
            }
            let report = fs.crash(.tornPrefix)
            let survived = try fs.readFile("/db/wal")
            #expect(survived == Array(full[..<survived.count]), "seed \(seed): not a prefix")
            #expect(survived.count % 700 == 0 || survived.count % 512 == 0, "seed \(seed): \(survived.count)")
            let applied = report.files.first?.changesApplied ?? 0
            #expect(survived.count <= applied * 700 && survived.count > (applied - 1) * 700 || applied == 0)
            lengths.insert(survived.count)
        }
        #expect(lengths.count >= 8)
    }

    @Test func unsyncedTruncationsArePartOfThePrefix() throws {
        var sizes: Set<Int> = []
        for seed in UInt64(0)..<30 {
            let fs = FaultInjectingFileSystem(seed: seed)
            try fs.createDirectory("/db")
            try makeDurableFile(fs, "/db/a", bytes(1, 2048))
            let file = try fs.openFile("/db/a", options: .readWrite)
            try file.truncate(to: 1024)
            try file.write(bytes(2, 512), at: 1024)
            fs.crash(.tornPrefix)
            let content = try fs.readFile("/db/a")
            // none applied: 2048 × 1; truncate only: 1024 × 1; both: 1024 × 1 + 512 × 2.
            let allowed = [bytes(1, 2048), bytes(1, 1024), bytes(1, 1024) + bytes(2, 512)]
            #expect(allowed.contains(content), "seed \(seed): \(content.count) bytes")
            sizes.insert(content.count)
        }
        #expect(sizes == [2048, 1024, 1536])
    }
}
