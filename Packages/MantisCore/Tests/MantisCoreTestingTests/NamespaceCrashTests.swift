import MantisCore
import MantisCoreTesting
import Testing

@Suite struct NamespaceCrashTests {
    func powerLossModes() -> [CrashMode] { [.dropUnsynced, .tornPrefix, .garbleUnsynced] }

    @Test func aCreatedFileVanishesWithoutADirectorySync() throws {
        for mode in powerLossModes() {
            let fs = FaultInjectingFileSystem(seed: 1)
            try fs.createDirectory("/db")
            let file = try fs.openFile("/db/unlinked", options: .createNew)
            try file.write([1, 2, 3], at: 0)
            try file.sync()  // the data is durable, the entry is not
            #expect(fs.durableContents(of: "/db/unlinked") == nil)
            let report = fs.crash(mode)
            #expect(!fs.fileExists("/db/unlinked"), "\(mode)")
            #expect(try fs.contentsOfDirectory("/db").isEmpty)
            #expect(report.entriesReverted == 1)
            #expect(report.filesAffected == ["/db/unlinked"])
        }
    }

    @Test func aDirectorySyncedFileSurvives() throws {
        for mode in powerLossModes() {
            let fs = FaultInjectingFileSystem(seed: 2)
            try fs.createDirectory("/db")
            let file = try fs.openFile("/db/kept", options: .createNew)
            try file.write([1, 2, 3], at: 0)
            try file.sync()
            try fs.syncDirectory("/db")
            #expect(fs.durableContents(of: "/db/kept") == [1, 2, 3])
            fs.crash(mode)
            #expect(try fs.readFile("/db/kept") == [1, 2, 3], "\(mode)")
        }
    }

    @Test func anUnsyncedRenameReverts() throws {
        let fs = FaultInjectingFileSystem(seed: 3)
        try fs.createDirectory("/db")
        try makeDurableFile(fs, "/db/old", [1])
        try fs.rename("/db/old", to: "/db/new")
        #expect(try fs.contentsOfDirectory("/db") == ["new"])
        fs.crash(.dropUnsynced)
        #expect(try fs.contentsOfDirectory("/db") == ["old"])
        #expect(try fs.readFile("/db/old") == [1])

        try fs.rename("/db/old", to: "/db/new")
        try fs.syncDirectory("/db")
        fs.crash(.dropUnsynced)
        #expect(try fs.contentsOfDirectory("/db") == ["new"])
    }

    @Test func anUnsyncedReplaceRevertsToTheOldFile() throws {
        // writeFileAtomically without its final directory sync.
        let fs = FaultInjectingFileSystem(seed: 4)
        try fs.createDirectory("/db")
        try makeDurableFile(fs, "/db/manifest", [1, 1])
        try makeDurableFile(fs, "/db/manifest.tmp", [2, 2])
        try fs.removeItem("/db/manifest.tmp")
        let temp = try fs.openFile("/db/manifest.tmp", options: .createNew)
        try temp.write([3, 3], at: 0)
        try temp.sync()
        try fs.rename("/db/manifest.tmp", to: "/db/manifest")
        #expect(try fs.readFile("/db/manifest") == [3, 3])
        fs.crash(.dropUnsynced)
        #expect(try fs.readFile("/db/manifest") == [1, 1])
        // The removed-but-not-dir-synced temp file is back too.
        #expect(try fs.readFile("/db/manifest.tmp") == [2, 2])
    }

    @Test func writeFileAtomicallyIsDurable() throws {
        let fs = FaultInjectingFileSystem(seed: 5)
        try fs.createDirectory("/db")
        try fs.writeFileAtomically("/db/manifest", contents: [1])
        try fs.writeFileAtomically("/db/manifest", contents: [2, 2])
        fs.crash(.garbleUnsynced)
        #expect(try fs.readFile("/db/manifest") == [2, 2])
        #expect(try fs.contentsOfDirectory("/db") == ["manifest"])
    }

    @Test func anUnsyncedRemoveComesBack() throws {
        let fs = FaultInjectingFileSystem(seed: 6)
        try fs.createDirectory("/db")
        try makeDurableFile(fs, "/db/segment-1", bytes(9, 100))
        try fs.removeItem("/db/segment-1")
        #expect(!fs.fileExists("/db/segment-1"))
        #expect(fs.durableContents(of: "/db/segment-1") == bytes(9, 100))
        fs.crash(.tornPrefix)
        #expect(try fs.readFile("/db/segment-1") == bytes(9, 100))

        try fs.removeItem("/db/segment-1")
        try fs.syncDirectory("/db")
        fs.crash(.tornPrefix)
        #expect(!fs.fileExists("/db/segment-1"))
    }

    @Test func directoriesAreDurableOnceCreated() throws {
        let fs = FaultInjectingFileSystem(seed: 7)
        try fs.createDirectory("/db/wal/archive")
        fs.crash(.dropUnsynced)
        #expect(fs.isDirectory("/db/wal/archive"))
    }

    @Test func anUnsyncedDirectoryRenameReverts() throws {
        let fs = FaultInjectingFileSystem(seed: 8)
        try fs.createDirectory("/db/a")
        try makeDurableFile(fs, "/db/a/file", [4])
        try fs.rename("/db/a", to: "/db/b")
        #expect(try fs.readFile("/db/b/file") == [4])
        fs.crash(.dropUnsynced)
        #expect(try fs.readFile("/db/a/file") == [4])
        #expect(!fs.fileExists("/db/b"))
    }

    @Test func processCrashKeepsUnsyncedEntries() throws {
        let fs = FaultInjectingFileSystem(seed: 9)
        try fs.createDirectory("/db")
        try makeDurableFile(fs, "/db/a", [1])
        try fs.rename("/db/a", to: "/db/b")
        let file = try fs.openFile("/db/c", options: .createNew)
        try file.write([2], at: 0)
        fs.crash(.processCrash)
        #expect(try fs.contentsOfDirectory("/db") == ["b", "c"])
    }
}
