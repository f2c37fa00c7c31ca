import IntegrityKit
import MantisCore
import MantisCoreTesting
import RecoveryKit
import Testing

/// "Fill the disk: writes are refused with the clear error, reads keep working, nothing
/// committed is lost, writes resume."
@Suite struct DiskFullTests {
    /// Commits single-key transactions until one fails; returns the failure.
    static func fill(_ db: AssembledDatabase, from start: Int, valueSize: Int, model: inout [[UInt8]: [UInt8]], limit: Int = 50_000) async throws -> MantisError? {
        for index in start..<(start + limit) {
            let value = Fixture.value(index, size: valueSize)
            do {
                try await db.commit([(Fixture.key(index), value)])
                model[Fixture.key(index)] = value
            } catch let error as MantisError {
                return error
            }
        }
        return nil
    }

    @Test func faultInjectedFullDiskIsRefusedByTheGuardBeforeTheLogFails() async throws {
        print("real small file system variant: \(SmallFileSystem.probe.message)")
        let fs = FaultInjectingFileSystem(seed: 21)
        try fs.createDirectory("/data")
        fs.capacity = 256 << 10
        let guardian = DiskSpaceGuard(fileSystem: fs, paths: ["/data"], options: .init(reserve: .bytes(64 << 10), pollInterval: .zero))
        let db = try AssembledDatabase(fileSystem: fs, admission: [guardian])
        var model: [[UInt8]: [UInt8]] = [:]

        let error = try #require(try await Self.fill(db, from: 0, valueSize: 200, model: &model))
        #expect(error.code == .diskFull)
        #expect(error.context.operation == "admit write", "refused by the guard, not by a failing write")
        #expect(error.message.contains("free on /data") && error.message.contains("reserve"))
        #expect(error.context.metadata["reserve_bytes"] == String(64 << 10))
        #expect(Int64(try #require(error.context.metadata["available_bytes"]))! < 64 << 10 + 1_000)
        #expect(model.count > 100)
        #expect(db.wal?.status.failure == nil, "the log never saw ENOSPC")
        #expect(ErrorPolicy.standard.decide(error).action == .reject)

        // Reads continue; writes stay refused while the disk is full.
        for (key, value) in model { #expect(try await db.read(key) == value) }
        await #expect(throws: MantisError.self) { try await db.commit([(Array("more".utf8), [1])]) }

        // Space returns (files deleted elsewhere): writes resume by themselves.
        fs.capacity = 1 << 20
        try await db.commit([(Array("after".utf8), [1])])
        model[Array("after".utf8)] = [1]

        // Nothing committed is lost.
        let reopened = try await db.crashAndReopen(fs)
        #expect(!reopened.isSafeMode)
        #expect(try reopened.contents() == model)
    }

    /// Without the guard the log itself meets ENOSPC: it fails (read-only until a restart) —
    /// the outage the reserve avoids — and still nothing acknowledged is lost.
    @Test func withoutAGuardTheLogFailsButLosesNothing() async throws {
        let fs = FaultInjectingFileSystem(seed: 22)
        try fs.createDirectory("/data")
        fs.capacity = 128 << 10
        let db = try AssembledDatabase(fileSystem: fs)
        var model: [[UInt8]: [UInt8]] = [:]
        let error = try #require(try await Self.fill(db, from: 0, valueSize: 200, model: &model))
        #expect(error.hasCode(.diskFull) || error.hasCode(.walFailed))
        #expect(db.wal?.status.failure != nil)
        #expect(ErrorPolicy.standard.decide(MantisError(.walFailed, "failed", cause: error)).action == .readOnly)
        fs.capacity = nil
        let reopened = try await db.crashAndReopen(fs)
        #expect(!reopened.isSafeMode)
        #expect(try reopened.contents() == model)
        try await reopened.commit([(Array("after".utf8), [1])])
    }

    /// The same on a real, small (8 MiB tmpfs) file system, where the sandbox allows mounting.
    @Test(.enabled(if: SmallFileSystem.probe.available, Comment(rawValue: SmallFileSystem.probe.message)))
    func realSmallFileSystem() async throws {
        let mount = try SmallFileSystem.mount(megabytes: 8)
        defer { mount.unmount() }
        let fs = PosixFileSystem()
        let data = DataDirectory(Path.join(mount.path, "data"))
        try fs.createDirectory(data.path)
        let reserve: Int64 = 1 << 20
        let guardian = DiskSpaceGuard(fileSystem: fs, paths: [data.path], options: .init(reserve: .bytes(reserve), pollInterval: .zero))
        let db = try AssembledDatabase(fileSystem: fs, directory: data, segmentSize: 256 << 10, admission: [guardian])
        // Leave about the reserve plus 1.5 MiB free.
        let filler = Path.join(mount.path, "filler")
        let file = try fs.openFile(filler, options: [.write, .create])
        let available = try fs.diskSpace(data.path).available
        let fill = available - reserve - (3 << 19)
        let chunk = [UInt8](repeating: 0xEE, count: 1 << 20)
        var written: Int64 = 0
        while written < fill {
            let count = Int(min(Int64(chunk.count), fill - written))
            try file.write(Array(chunk[0..<count]), at: written)
            written += Int64(count)
        }
        try file.sync()
        try file.close()

        var model: [[UInt8]: [UInt8]] = [:]
        let error = try #require(try await Self.fill(db, from: 0, valueSize: 1_000, model: &model))
        #expect(error.code == .diskFull)
        #expect(error.context.operation == "admit write")
        #expect(error.message.contains("reserve"))
        #expect(db.wal?.status.failure == nil)
        let free = try fs.diskSpace(data.path).available
        #expect(free > 0, "the disk itself never filled: \(free) bytes free")
        for (key, value) in model { #expect(try await db.read(key) == value) }

        try fs.removeItem(filler)
        try await db.commit([(Array("after".utf8), [1])])
        model[Array("after".utf8)] = [1]
        try await db.close()

        let reopened = try AssembledDatabase(fileSystem: fs, directory: data, segmentSize: 256 << 10)
        #expect(!reopened.isSafeMode)
        #expect(try reopened.contents() == model)
        try await reopened.close()
    }
}
