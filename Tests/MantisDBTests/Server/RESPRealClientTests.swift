import Foundation
@testable import MantisDB
import Testing

/// The server against real clients: redis-py (RESP3 and RESP2) and redis-cli. These are
/// required: if a client is missing the test fails and says how to install it.
@Suite("RESP server: real clients", .serialized) struct RESPRealClientTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let suite = repositoryRoot.appendingPathComponent("Integration/clients/redis_py_suite.py").path

    @Test("redis-py suite over RESP3 (HELLO 3) and RESP2", arguments: [3, 2])
    func redisPy(protocolVersion: Int) async throws {
        guard try await Self.requireRedisPy() else { return }
        try await RESPTestHarness.with { harness in
            let result = try await ProcessResult.run(
                "python3", [Self.suite, "--port", "\(harness.port)", "--protocol", "\(protocolVersion)"], timeout: .seconds(120))
            #expect(result.status == 0, "redis-py suite failed:\n\(result.output)\n\(result.error)")
            #expect(result.output.contains("sections passed"), "\(result.output)")
        }
    }

    @Test("redis-py: AUTH with a required password (HELLO 3 AUTH and RESP2 AUTH)", arguments: [3, 2])
    func redisPyAuth(protocolVersion: Int) async throws {
        guard try await Self.requireRedisPy() else { return }
        try await RESPTestHarness.with(configure: { $0.requirePassword = "py-s3cret" }) { harness in
            let result = try await ProcessResult.run(
                "python3", [Self.suite, "--port", "\(harness.port)", "--protocol", "\(protocolVersion)",
                            "--password", "py-s3cret", "--only", "auth", "basics", "multi"], timeout: .seconds(60))
            #expect(result.status == 0, "redis-py auth run failed:\n\(result.output)\n\(result.error)")
        }
    }

    @Test("redis-cli: SET, GET, INCR, --scan, INFO persistence, RESP3, commands on stdin and --pipe")
    func redisCLI() async throws {
        guard try await Self.requireRedisCLI() else { return }
        try await RESPTestHarness.with { harness in
            let port = "\(harness.port)"
            func cli(_ arguments: [String], input: String? = nil) async throws -> ProcessResult {
                let result = try await ProcessResult.run("redis-cli", ["-p", port] + arguments, input: input, timeout: .seconds(30))
                #expect(result.status == 0, "redis-cli \(arguments) failed: \(result.output) \(result.error)")
                return result
            }
            #expect(try await cli(["SET", "k", "v"]).output == "OK\n")
            #expect(try await cli(["GET", "k"]).output == "v\n")
            #expect(try await cli(["INCR", "counter"]).output == "1\n")
            #expect(try await cli(["INCR", "counter"]).output == "2\n")
            #expect(try await cli(["-3", "GET", "k"]).output == "v\n")
            #expect(try await cli(["GET", "missing"]).output == "\n")
            #expect(try await cli(["INCR", "k"]).output.contains("ERR value is not an integer"))
            let info = try await cli(["INFO", "persistence"]).output
            #expect(info.contains("# Persistence"))
            #expect(info.contains("wal_durable_lsn:"))

            // Commands on stdin, one per line.
            let stdin = try await cli([], input: "SET a 1\nINCR a\nGET a\nMSET b 2 c 3\nMGET a b c\n")
            #expect(stdin.output == "OK\n2\n2\nOK\n2\n2\n3\n", "\(stdin.output)")

            // Mass insertion with --pipe: raw protocol on stdin, ECHO handshake at the end.
            var mass = ""
            for index in 0..<500 {
                mass += String(decoding: RESPTestClient.encode(["SET", "pipe:\(index)", "\(index)"]), as: UTF8.self)
            }
            let piped = try await cli(["--pipe"], input: mass)
            #expect(piped.output.contains("errors: 0, replies: 500"), "\(piped.output) \(piped.error)")
            #expect(try await cli(["GET", "pipe:499"]).output == "499\n")

            let scanned = try await cli(["--scan", "--pattern", "pipe:*"]).output
            let keys = scanned.split(separator: "\n")
            #expect(keys.count == 500)
            #expect(Set(keys).count == 500)
            #expect(try await cli(["DBSIZE"]).output == "\(500 + 5)\n")
        }
    }

    // MARK: Tool checks

    static func requireRedisPy() async throws -> Bool {
        let check = try? await ProcessResult.run("python3", ["-c", "import redis; print(redis.__version__)"], timeout: .seconds(30))
        guard let check, check.status == 0 else {
            Issue.record("""
                redis-py is required for this test but `python3 -c "import redis"` failed \
                (\(check?.error ?? "python3 not found")). Install it: `pip install 'redis>=8'` \
                (and python3 itself: `apt-get install python3 python3-pip`).
                """)
            return false
        }
        return true
    }

    static func requireRedisCLI() async throws -> Bool {
        let check = try? await ProcessResult.run("redis-cli", ["--version"], timeout: .seconds(30))
        guard let check, check.status == 0 else {
            Issue.record("redis-cli is required for this test but was not found. Install it: `apt-get install redis-tools`.")
            return false
        }
        return true
    }
}

/// A finished child process: exit status and output. Runs without blocking a thread of the
/// cooperative pool (which the server under test needs): output goes to temporary files and
/// the exit is awaited through the termination handler.
struct ProcessResult: Sendable {
    var status: Int32
    var output: String
    var error: String

    static func run(_ tool: String, _ arguments: [String], input: String? = nil, timeout: Duration) async throws -> ProcessResult {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("resp-process-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outPath = directory.appendingPathComponent("out")
        let errPath = directory.appendingPathComponent("err")
        let inPath = directory.appendingPathComponent("in")
        FileManager.default.createFile(atPath: outPath.path, contents: nil)
        FileManager.default.createFile(atPath: errPath.path, contents: nil)
        FileManager.default.createFile(atPath: inPath.path, contents: Data((input ?? "").utf8))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let outHandle = try FileHandle(forWritingTo: outPath)
        let errHandle = try FileHandle(forWritingTo: errPath)
        let inHandle = try FileHandle(forReadingFrom: inPath)
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = inHandle
        // A hung tool is killed after `timeout` (and then fails the test with its signal status).
        let watched = WatchedProcess(process)
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            watched.terminate()
        }
        defer { watchdog.cancel() }
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { process in continuation.resume(returning: process.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        try? outHandle.close()
        try? errHandle.close()
        try? inHandle.close()
        return ProcessResult(
            status: status,
            output: (try? String(contentsOf: outPath, encoding: .utf8)) ?? "",
            error: (try? String(contentsOf: errPath, encoding: .utf8)) ?? "")
    }
}

/// A `Process` the watchdog may terminate from another task (`Process` is thread-safe for this).
private final class WatchedProcess: @unchecked Sendable {
    let process: Process
    init(_ process: Process) { self.process = process }
    func terminate() { if process.isRunning { process.terminate() } }
}
