import Foundation
import MantisCore
import MantisDB
import Testing

@Suite("Offline tools refuse a path that is not a data directory") struct DataDirectoryCheckTests {
    func options(_ dir: String) -> DatabaseOptions { OfflineDatabase.options(dir) }

    func makeDataDirectory() async throws -> (base: String, data: String) { try await OfflineDatabase.make(keys: 1) }

    @Test("Database.open with createIfMissing off refuses a missing path, a file and a directory that is not a data directory, naming the path and creating nothing",
          arguments: ["missing", "file", "empty", "checkpoints"])
    func openRefuses(kind: String) async throws {
        let (base, data) = try await makeDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let fs = PosixFileSystem()
        let target: String
        switch kind {
        case "missing": target = base + "/typo"
        case "file":
            target = base + "/plain-file"
            try fs.writeFileAtomically(target, contents: Array("hello".utf8))
        case "empty":
            target = base + "/empty"
            try fs.createDirectory(target)
        default: target = data + "/checkpoints"
        }
        let before = fs.isDirectory(target) ? try fs.contentsOfDirectory(target) : nil
        var refusing = options(target)
        refusing.createIfMissing = false
        await #expect {
            _ = try await Database.open(refusing)
        } throws: { error in
            guard let error = error as? MantisError else { return false }
            return error.code == (kind == "missing" ? .notFound : .invalidArgument) && error.message.contains(target)
                && error.context.file == target && (kind != "checkpoints" || error.message.contains("did you mean \(data)?"))
        }
        let after = fs.isDirectory(target) ? try fs.contentsOfDirectory(target) : nil
        #expect(after == before, "nothing created at \(target)")
        #expect(kind != "missing" || !fs.fileExists(target))

        // The existing data directory opens; without the option a missing one is created.
        var existing = options(data)
        existing.createIfMissing = false
        try await Database.open(existing).close()
        try await Database.open(options(base + "/new")).close()
        #expect(DataDirectoryCheck.isDataDirectory(base + "/new"))
    }

    @Test("recover --dry-run on a missing directory exits 3 naming it and creates nothing; on a file, exit 3 saying so")
    func dryRunOnBadPaths() throws {
        let base = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let missing = base + "/typo"
        var output = RecoveryTool.dryRun(options: options(missing))
        #expect(output.exitCode == 3, "\(output.text)")
        #expect(output.text.contains("no such data directory: \(missing) does not exist"), "\(output.text)")
        #expect(!output.text.contains("would open normally"))
        #expect(!PosixFileSystem().fileExists(missing), "the dry run created \(missing)")

        let file = base + "/plain-file"
        try PosixFileSystem().writeFileAtomically(file, contents: [1])
        output = RecoveryTool.dryRun(options: options(file))
        #expect(output.exitCode == 3)
        #expect(output.text.contains("\(file) is a file, not a data directory"), "\(output.text)")
    }

    @Test("checkpoint verify and list of a data directory's checkpoints/ are refused (exit 3) with a hint to the data directory, not reported as 0 checkpoints")
    func checkpointToolOnCheckpointsDirectory() async throws {
        let (base, data) = try await makeDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        for output in [CheckpointTool.verify(dataDirectory: data + "/checkpoints"), CheckpointTool.list(dataDirectory: data + "/checkpoints")] {
            #expect(output.exitCode == 3, "\(output.text)")
            #expect(output.text.contains("\(data)/checkpoints is not a MantisDB data directory"), "\(output.text)")
            #expect(output.text.contains("did you mean \(data)?"), "\(output.text)")
        }
        let output = CheckpointTool.verify(dataDirectory: data)
        #expect(output.exitCode == 0)
        #expect(output.text.contains("1 checkpoint(s)") && output.text.contains("verified"), "\(output.text)")
    }
}
