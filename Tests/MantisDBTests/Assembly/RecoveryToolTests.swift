import Foundation
import MantisCore
import MantisDB
import Testing

@Suite("recover --dry-run predicts the open") struct RecoveryToolTests {
    func options(_ dir: String) -> DatabaseOptions { OfflineDatabase.options(dir) }

    func makeDataDirectory() async throws -> (base: String, data: String) { try await OfflineDatabase.make(keys: 5) }

    @Test("what the open refuses, the dry run reports as refused (exit 2) with the open's error, and changes nothing",
          arguments: ["unfinished restore", "damaged epoch file", "damaged clean-shutdown marker"])
    func refusals(kind: String) async throws {
        let (base, data) = try await makeDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let fs = PosixFileSystem()
        switch kind {
        case "unfinished restore": try fs.writeFileAtomically(data + "/" + Restore.markerName, contents: Array("restore from /b started\n".utf8))
        case "damaged epoch file": try fs.writeFileAtomically(data + "/txn-epoch", contents: [UInt8](repeating: 0x5A, count: 16))
        default: try fs.writeFileAtomically(data + "/clean-shutdown", contents: [UInt8](repeating: 0x5A, count: 24))
        }
        let before = try fs.contentsOfDirectory(data)
        let output = RecoveryTool.dryRun(options: options(data))
        #expect(try fs.contentsOfDirectory(data) == before)
        #expect(output.exitCode == 2, "\(output.text)")
        #expect(!output.text.contains("would open normally"), "\(output.text)")
        await #expect {
            _ = try await Database.open(options(data))
        } throws: { error in
            output.text.contains("result: REFUSED: the open refuses this directory: \(error)")
        }
    }

    @Test("a torn tail after a crash taking the record the newest checkpoint covers: the dry run says safe mode with the open's reason")
    func tornTailBelowCheckpoint() async throws {
        let (base, data) = try await makeDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let fs = PosixFileSystem()
        try fs.removeItem(data + "/clean-shutdown")  // as after a crash
        let segment = data + "/wal/" + (try #require(try fs.contentsOfDirectory(data + "/wal").filter { $0.hasSuffix(".log") }.max()))
        var bytes = try fs.readFile(segment)
        let lastByte = try #require(bytes.lastIndex { $0 != 0 })
        bytes[lastByte - 3] ^= 0xFF
        try fs.writeFileAtomically(segment, contents: bytes)

        let output = RecoveryTool.dryRun(options: options(data))
        #expect(output.exitCode == 2, "\(output.text)")
        let database = try await Database.open(options(data))
        guard case .safe(let reason) = database.mode else {
            Issue.record("expected safe mode, got \(database.mode)")
            try await database.close()
            return
        }
        #expect(output.text.contains("result: SAFE MODE: \(reason)\n"), "dry run: \(output.text)\nopen: \(reason)")
        try await database.close()
    }
}
