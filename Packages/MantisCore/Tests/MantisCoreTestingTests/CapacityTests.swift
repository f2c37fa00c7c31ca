import MantisCore
import MantisCoreTesting
import Testing

@Suite struct CapacityTests {
    @Test func writesBeyondCapacityFailWithDiskFull() throws {
        let fs = FaultInjectingFileSystem(seed: 1)
        try fs.createDirectory("/db")
        fs.capacity = 4096
        #expect(try fs.diskSpace("/db") == DiskSpace(available: 4096, total: 4096))
        let file = try fs.openFile("/db/wal", options: .createNew)
        try file.write(bytes(1, 3000), at: 0)
        #expect(try fs.diskSpace("/db").available == 1096)

        let error = mantisError { try file.write(bytes(2, 2000), at: 3000) }
        #expect(error?.code == .diskFull)
        #expect(error?.context.errno == 28)
        #expect(error?.context.offset == 4096)
        // The prefix that fit was written, nothing beyond the capacity.
        #expect(try file.readAll() == bytes(1, 3000) + bytes(2, 1096))
        #expect(try fs.diskSpace("/db").available == 0)
        #expect(fs.injectedFaults.last?.contains("ENOSPC") == true)

        // Overwriting needs no space.
        try file.write(bytes(3, 100), at: 0)
        #expect(mantisError { try file.preallocate(5000) }?.code == .diskFull)
        #expect(mantisError { try file.truncate(to: 5000) }?.code == .diskFull)
        #expect(mantisError { _ = try fs.openFile("/db/other", options: .createNew).append([1]) }?.code == .diskFull)

        try file.truncate(to: 1000)
        #expect(try fs.diskSpace("/db").available == 3096)
        try file.preallocate(2000)
        #expect(try fs.diskSpace("/db").available == 2096)
        try file.close()
        try fs.removeItem("/db/wal")
        #expect(try fs.diskSpace("/db").available == 4096)
    }

    @Test func unlimitedByDefault() throws {
        let fs = FaultInjectingFileSystem(seed: 2)
        #expect(fs.capacity == nil)
        try fs.createDirectory("/db")
        try makeDurableFile(fs, "/db/a", bytes(1, 1000))
        let space = try fs.diskSpace("/db")
        #expect(space.total > 1 << 30)
        #expect(space.available == space.total - 1000)
        #expect(mantisError { _ = try fs.diskSpace("/nowhere") }?.code == .notFound)
        fs.capacity = 10
        fs.capacity = nil
        try makeDurableFile(fs, "/db/b", bytes(1, 1000))
    }
}
