import MantisCore

extension ConformanceRunner {
    func checkCreateAndOpen() throws {
        let check = "create, open and exclusive"
        let file = path("created")
        try expectError(check + " (open of a missing file)", .notFound, file: file) {
            _ = try fs.openFile(file, options: .readWrite)
        }
        try attempt(check) {
            let handle = try fs.openFile(file, options: .createNew)
            try handle.write([1, 2, 3], at: 0)
            try handle.close()
        }
        try expectError(check + " (exclusive create of an existing file)", .alreadyExists, file: file) {
            _ = try fs.openFile(file, options: .createNew)
        }
        try attempt(check) {
            let again = try fs.openFile(file, options: [.write, .create])
            try expect(check, try again.readAll() == [1, 2, 3], "create without exclusive must keep the content")
            try again.close()
            let truncated = try fs.openFile(file, options: [.write, .truncate])
            try expect(check, try truncated.size() == 0, "open with .truncate must empty the file")
            try truncated.close()
            let readOnly = try fs.openFile(file, options: .readOnly)
            defer { try? readOnly.close() }
            try expect(check, readOnly.path == file, "the handle's path is \(readOnly.path), not \(file)")
            var refused = false
            do { try readOnly.write([9], at: 0) } catch { refused = true }
            try expect(check, refused, "a read-only handle accepted a write")
        }
    }

    func checkPositionalIO() throws {
        let check = "positional read and write"
        try attempt(check) {
            let file = try fs.openFile(path("positional"), options: .createNew)
            defer { try? file.close() }
            try file.write(Array("hello".utf8), at: 0)
            try file.write(Array("world".utf8), at: 10)
            let size = try file.size()
            try expect(check, size == 15, "size after a write past the end is \(size), not 15")
            let all = try file.readAll()
            try expect(check, all == Array("hello".utf8) + [0, 0, 0, 0, 0] + Array("world".utf8), "content \(all)")
            try file.write(Array("J".utf8), at: 0)
            try expect(check, try file.read(count: 3, at: 0) == Array("Jel".utf8), "an overwrite is not read back")
            try expect(check, try file.append([7]) == 15, "append must write at the end")
            let other = try fs.openFile(path("positional"), options: .readOnly)
            defer { try? other.close() }
            try expect(check, try other.readAll() == (try file.readAll()), "another handle must see the same bytes")
        }
    }

    func checkShortReads() throws {
        let check = "short read at end of file"
        try attempt(check) {
            try makeFile("short", Array(0..<100))
            let file = try fs.openFile(path("short"), options: .readOnly)
            defer { try? file.close() }
            var buffer = [UInt8](repeating: 0xEE, count: 64)
            let got = try buffer.withUnsafeMutableBytes { try file.read(into: $0, at: 90) }
            try expect(check, got == 10, "a read of 64 bytes at 90 of 100 returned \(got)")
            try expect(check, Array(buffer[..<10]) == Array(90..<100), "the short read returned the wrong bytes")
            let atEnd = try buffer.withUnsafeMutableBytes { try file.read(into: $0, at: 100) }
            try expect(check, atEnd == 0, "a read at the end returned \(atEnd) bytes")
            let past = try buffer.withUnsafeMutableBytes { try file.read(into: $0, at: 1000) }
            try expect(check, past == 0, "a read past the end returned \(past) bytes")
        }
    }

    func checkTruncateAndPreallocate() throws {
        let check = "size, truncate and preallocate"
        try attempt(check) {
            let file = try fs.openFile(path("sizes"), options: .createNew)
            defer { try? file.close() }
            try file.write([UInt8](repeating: 0xAB, count: 1000), at: 0)
            try file.truncate(to: 100)
            let shrunk = try file.size()
            try expect(check, shrunk == 100, "size after truncate(100) is \(shrunk)")
            try file.truncate(to: 300)
            let grown = try file.readAll()
            try expect(check, grown.count == 300, "size after growing truncate is \(grown.count)")
            try expect(check, grown[..<100].allSatisfy { $0 == 0xAB }, "truncate changed the kept bytes")
            try expect(check, grown[100...].allSatisfy { $0 == 0 }, "bytes past a shrink and regrow are not zero")
            try file.preallocate(5000)
            let reserved = try file.readAll()
            try expect(check, reserved.count >= 5000, "size after preallocate(5000) is \(reserved.count)")
            try expect(check, reserved[..<100].allSatisfy { $0 == 0xAB }, "preallocate changed existing bytes")
            try expect(check, reserved[100...].allSatisfy { $0 == 0 }, "preallocated bytes are not zero")
            try file.preallocate(10)
            try expect(check, try file.size() == Int64(reserved.count), "preallocate to less than the size shrank the file")
            try file.preallocate(0)
        }
    }

    func checkSyncs() throws {
        let check = "sync, syncData and syncDirectory"
        try attempt(check) {
            let file = try fs.openFile(path("synced"), options: .createNew)
            try file.write([1, 2, 3], at: 0)
            try file.sync()
            try file.write([4], at: 3)
            try file.syncData()
            try file.close()
            try fs.syncDirectory(root)
            try expect(check, try contents("synced") == [1, 2, 3, 4], "synced content changed")
        }
        try expectError(check + " (syncDirectory of a missing directory)", .notFound) {
            try fs.syncDirectory(path("no-such-directory"))
        }
    }

    func checkClosedHandles() throws {
        let check = "closed handle throws closed"
        let file = try attempt(check) {
            let file = try fs.openFile(path("closing"), options: .createNew)
            try file.write([1], at: 0)
            try file.close()
            try file.close()
            return file
        }
        try expectError(check + " (read)", .closed) { _ = try file.read(count: 1, at: 0) }
        try expectError(check + " (write)", .closed) { try file.write([2], at: 0) }
        try expectError(check + " (size)", .closed) { _ = try file.size() }
        try expectError(check + " (truncate)", .closed) { try file.truncate(to: 0) }
        try expectError(check + " (sync)", .closed) { try file.sync() }
        try expectError(check + " (syncData)", .closed) { try file.syncData() }
        try expect(check, try attempt(check) { try contents("closing") } == [1], "a closed handle changed the file")
    }
}
