import Foundation
import MantisCore
import MantisCoreTesting
@testable import ObservabilityKit
import Synchronization
import Testing

@Suite("Audit trail: append-only, hash-chained, verified") struct AuditTests {
    static let actions = ["open", "recovery", "checkpoint", "wal_cleanup", "quarantine", "backup", "config_loaded", "admin_command"]

    /// A trail of `count` entries in a fresh directory.
    func trail(_ count: Int = 8) async throws -> (Scratch, String) {
        let scratch = try Scratch()
        let directory = scratch.path + "/audit"
        let log = FileAuditLog(directory: directory)
        for index in 0..<count {
            await log.record(AuditEvent(action: Self.actions[index % Self.actions.count], actor: index % 2 == 0 ? "system" : "admin-http",
                                        details: ["index": "\(index)", "note": "quote \" backslash \\ tab\t"]))
        }
        await log.close()
        #expect(log.counts.recorded == count)
        return (scratch, directory)
    }

    func lines(_ directory: String) throws -> [String] {
        try String(contentsOfFile: directory + "/audit.log", encoding: .utf8).split(separator: "\n").map(String.init)
    }

    func write(_ lines: [String], to directory: String) throws {
        try (lines.joined(separator: "\n") + "\n").write(toFile: directory + "/audit.log", atomically: true, encoding: .utf8)
    }

    func verify(_ directory: String) throws -> AuditVerification {
        try AuditVerifier.verify(directory: directory)
    }

    @Test("an untouched trail verifies; entries chain from 1 with the head at the end")
    func intact() async throws {
        let (scratch, directory) = try await trail()
        defer { scratch.remove() }
        let result = try verify(directory)
        #expect(result.isIntact, "\(result.problems)")
        #expect(result.entries == 8 && result.lastSequence == 8 && result.head?.sequence == 8)
        let first = try jsonObject(try lines(directory)[0])
        #expect(first["seq"] as? Int == 1 && first["prev"] as? String == AuditEntry.genesisHash)
        #expect(first["action"] as? String == "open" && (first["details"] as? [String: String])?["index"] == "0")
        // Reopening continues the chain.
        let again = FileAuditLog(directory: directory)
        await again.record(AuditEvent(action: "close"))
        #expect(again.head.sequence == 9)
        #expect(try verify(directory).isIntact)
    }

    @Test("an edited entry is detected at every position and named")
    func edited() async throws {
        let (scratch, directory) = try await trail()
        defer { scratch.remove() }
        let original = try lines(directory)
        for index in original.indices {
            var tampered = original
            tampered[index] = tampered[index].replacingOccurrences(of: "\"index\":\"\(index)\"", with: "\"index\":\"9\(index)\"")
            #expect(tampered[index] != original[index])
            try write(tampered, to: directory)
            let problem = try #require(try verify(directory).firstProblem, "edit of entry \(index + 1) not detected")
            #expect(problem.kind == .edited && problem.sequence == UInt64(index + 1), "\(problem)")
        }
    }

    @Test("an edited entry whose hash was recomputed is detected by the next entry (or the head)")
    func editedAndRehashed() async throws {
        let (scratch, directory) = try await trail()
        defer { scratch.remove() }
        let original = try lines(directory)
        for index in original.indices {
            var tampered = original
            let body = tampered[index].dropLast(AuditEntry.hashSuffixLength).replacingOccurrences(of: "\"index\":\"\(index)\"", with: "\"index\":\"x\"")
            tampered[index] = body + ",\"hash\":\"" + AuditEntry.digest(body: body) + "\"}"
            try write(tampered, to: directory)
            let result = try verify(directory)
            let problem = try #require(result.firstProblem, "rehashed edit of entry \(index + 1) not detected")
            #expect(problem.kind == .edited && problem.sequence == UInt64(index + 1), "\(problem)")
        }
    }

    @Test("a removed entry is detected at every position, the last one by the head")
    func removed() async throws {
        let (scratch, directory) = try await trail()
        defer { scratch.remove() }
        let original = try lines(directory)
        for index in original.indices {
            var tampered = original
            tampered.remove(at: index)
            try write(tampered, to: directory)
            let problem = try #require(try verify(directory).firstProblem, "removal of entry \(index + 1) not detected")
            #expect(problem.kind == .removed && problem.sequence == UInt64(index + 1), "\(problem)")
        }
    }

    @Test("reordered entries are detected at every position")
    func reordered() async throws {
        let (scratch, directory) = try await trail()
        defer { scratch.remove() }
        let original = try lines(directory)
        for index in 0..<(original.count - 1) {
            var tampered = original
            tampered.swapAt(index, index + 1)
            try write(tampered, to: directory)
            let problem = try #require(try verify(directory).firstProblem, "swap of entries \(index + 1) and \(index + 2) not detected")
            #expect(problem.kind == .reordered && [UInt64(index + 1), UInt64(index + 2)].contains(problem.sequence ?? 0), "\(problem)")
        }
    }

    @Test("a duplicated entry is detected")
    func duplicated() async throws {
        let (scratch, directory) = try await trail()
        defer { scratch.remove() }
        var tampered = try lines(directory)
        tampered.insert(tampered[3], at: 6)
        try write(tampered, to: directory)
        let problem = try #require(try verify(directory).firstProblem)
        #expect(problem.kind == .duplicated && problem.sequence == 4)
    }

    @Test("a torn last line is reported, then cut at the next open and recorded as a repair")
    func tornTail() async throws {
        let (scratch, directory) = try await trail(3)
        defer { scratch.remove() }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/audit.log"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"seq\":4,\"time\":\"2026-".utf8))
        try handle.close()
        #expect(try verify(directory).firstProblem?.kind == .incomplete)
        let log = FileAuditLog(directory: directory)
        await log.record(AuditEvent(action: "open"))
        let result = try verify(directory)
        #expect(result.isIntact, "\(result.problems)")
        let all = try lines(directory)
        #expect(all.count == 5)
        #expect(try jsonObject(all[3])["action"] as? String == "audit_repair")
        #expect(try String(contentsOfFile: directory + "/audit.log.broken", encoding: .utf8) == "{\"seq\":4,\"time\":\"2026-")
    }

    @Test("a failure to record is reported, never thrown; the next record works")
    func failure() async throws {
        let fs = FaultInjectingFileSystem(seed: 3)
        let failures = Mutex<[String]>([])
        let log = FileAuditLog(directory: "/data/audit", fileSystem: fs, onFailure: { event, _ in failures.withLock { $0.append(event.action) } })
        await log.record(AuditEvent(action: "open"))
        fs.inject(FaultRule([.sync], .eio, trigger: .nth(1), pathContains: "audit.log"))
        await log.record(AuditEvent(action: "checkpoint"))
        #expect(failures.withLock { $0 } == ["checkpoint"])
        await log.record(AuditEvent(action: "close"))
        #expect(log.counts == (2, 1))
        let result = try AuditVerifier.verify(directory: "/data/audit", fileSystem: fs)
        // The failed entry's bytes reached the file (only its sync failed): the chain carries on after it.
        #expect(result.isIntact, "\(result.problems)")
    }

    @Test("a missing head is a note, not a failure; a damaged head is a problem")
    func head() async throws {
        let (scratch, directory) = try await trail(2)
        defer { scratch.remove() }
        try FileManager.default.removeItem(atPath: directory + "/audit.head")
        let missing = try verify(directory)
        #expect(missing.isIntact && missing.notes.count == 1)
        try "{\"seq\":2,\"hash\":\"00\",\"check\":\"x\"}\n".write(toFile: directory + "/audit.head", atomically: true, encoding: .utf8)
        #expect(!(try verify(directory).isIntact))
    }
}
