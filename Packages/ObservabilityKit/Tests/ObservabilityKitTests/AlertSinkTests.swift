import Foundation
import IntegrityKit
import IntegrityKitTesting
import MantisCore
import MantisCoreTesting
@testable import ObservabilityKit
import ObservabilityKitTesting
import Testing

@Suite("File alert sink") struct FileAlertSinkTests {
    @Test("one JSON line per alert, synced; rotated past the size bound")
    func linesAndRotation() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = scratch.path + "/alerts/alerts.jsonl"
        let sink = FileAlertSink(options: .init(path: path, maxBytes: 1000))
        await sink.send(Alert(name: "wal_failed", severity: .critical, message: "fdatasync failed: \"EIO\"\nline two", details: ["file": "/d/wal/1"]))
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1)
        let object = try jsonObject(lines[0])
        #expect(object["name"] as? String == "wal_failed")
        #expect(object["severity"] as? String == "critical")
        #expect(object["message"] as? String == "fdatasync failed: \"EIO\"\nline two")
        #expect((object["details"] as? [String: String])?["file"] == "/d/wal/1")
        #expect((object["time"] as? String)?.hasSuffix("Z") == true)
        for index in 0..<20 {
            await sink.send(Alert(name: "n\(index)", severity: .warning, message: String(repeating: "x", count: 100)))
        }
        let current = try Data(contentsOf: URL(fileURLWithPath: path))
        let previous = try Data(contentsOf: URL(fileURLWithPath: path + ".1"))
        #expect(current.count <= 1000 && previous.count <= 1000)
        #expect(!FileManager.default.fileExists(atPath: path + ".2"))
        let last = try #require(String(decoding: current, as: UTF8.self).split(separator: "\n").last)
        #expect(try jsonObject(last)["name"] as? String == "n19")
    }

    @Test("a failed write is reported and the next alert is written again")
    func failure() async throws {
        let fs = FaultInjectingFileSystem(seed: 1)
        try fs.createDirectory("/alerts")
        let sink = FileAlertSink(options: .init(path: "/alerts/a.jsonl"), fileSystem: fs)
        fs.inject(FaultRule([.sync], .eio, trigger: .nth(1), pathContains: "a.jsonl"))
        await sink.send(Alert(name: "one", severity: .warning, message: "lost to EIO"))
        #expect(sink.failedWrites == 1)
        await sink.send(Alert(name: "two", severity: .warning, message: "written"))
        #expect(sink.failedWrites == 1)
        let text = String(decoding: try fs.readFile("/alerts/a.jsonl"), as: UTF8.self)
        #expect(text.contains("\"name\":\"two\""))
    }
}

@Suite("Webhook alert sink", .serialized) struct WebhookAlertSinkTests {
    func sink(_ server: TestWebhookServer, clock: ManualClock = ManualClock(), fallback: RecordingAlertSink,
              threshold: Int = 2, attempts: Int = 3, timeout: Duration = .seconds(2)) throws -> WebhookAlertSink {
        var options = WebhookAlertSink.Options(endpoint: try HTTPEndpoint(parsing: server.url))
        options.retry = RetryPolicy(maxAttempts: attempts, initialDelay: .milliseconds(10), maxDelay: .milliseconds(40))
        options.breaker = CircuitBreakerOptions(failureThreshold: threshold, coolDown: .seconds(30))
        options.timeout = timeout
        return WebhookAlertSink(options: options, fallback: fallback, clock: clock)
    }

    @Test("URLs: http only, with port and path; https is refused with advice")
    func urls() throws {
        let endpoint = try HTTPEndpoint(parsing: "http://alerts.example:9093/api/v1/hook?x=1")
        #expect(endpoint.host == "alerts.example" && endpoint.port == 9093 && endpoint.path == "/api/v1/hook?x=1")
        #expect(try HTTPEndpoint(parsing: "http://[::1]:8080").host == "::1")
        #expect(try HTTPEndpoint(parsing: "http://h").port == 80)
        #expect(throws: MantisError.self) { try HTTPEndpoint(parsing: "https://hooks.slack.com/x") }
        #expect(throws: MantisError.self) { try HTTPEndpoint(parsing: "ftp://x") }
        #expect(throws: MantisError.self) { try HTTPEndpoint(parsing: "http://:80/") }
        // The error never quotes the URL: it may carry a token.
        let secret = "ftp://user:hunter4@host/x?token=s3cret"
        #expect(HTTPEndpoint.problem(with: secret) == "is not an http:// URL")
        #expect(HTTPEndpoint.problem(with: "http://h:1/x") == nil)
        do {
            _ = try HTTPEndpoint(parsing: secret)
        } catch let error as MantisError {
            #expect(error.message == "alerts.webhook_url is not an http:// URL")
            #expect(!"\(error)".contains("hunter4") && !"\(error)".contains("s3cret"))
        }
    }

    @Test("posts the alert as JSON without blocking the caller")
    func delivers() async throws {
        let server = try await TestWebhookServer.start()
        defer { Task { await server.stop() } }
        let fallback = RecordingAlertSink()
        let webhook = try sink(server, fallback: fallback)
        await webhook.send(Alert(name: "corruption_detected", severity: .critical, message: "bad block", details: ["file": "ckpt-7"]))
        await webhook.flush()
        let request = try #require(server.requests.first)
        #expect(request.method == "POST" && request.uri == "/hooks/mantis")
        #expect(request.headers.contains { $0.0.lowercased() == "content-type" && $0.1 == "application/json" })
        let body = try jsonObject(request.body)
        #expect(body["name"] as? String == "corruption_detected" && body["severity"] as? String == "critical")
        #expect(webhook.counts.delivered == 1 && fallback.alerts.isEmpty)
    }

    @Test("5xx is retried with backoff; the alert arrives when the server recovers")
    func retries() async throws {
        let server = try await TestWebhookServer.start()
        defer { Task { await server.stop() } }
        server.behavior = .status(503)
        let fallback = RecordingAlertSink()
        let clock = ManualClock()
        let webhook = try sink(server, clock: clock, fallback: fallback, attempts: 3)
        await webhook.send(Alert(name: "a", severity: .warning, message: "m"))
        await webhook.flush()
        #expect(server.requests.count == 3, "three attempts")
        #expect(clock.sleeps.count == 2, "two backoff waits")
        #expect(fallback.alerts(named: "a").first?.details["delivery_failed"]?.contains("503") == true, "undeliverable: logged instead")
        server.behavior = .status(200)
        await webhook.send(Alert(name: "b", severity: .warning, message: "m"))
        await webhook.flush()
        #expect(server.requests.count == 4 && webhook.counts.delivered == 1)
    }

    @Test("a 4xx is not retried")
    func clientError() async throws {
        let server = try await TestWebhookServer.start()
        defer { Task { await server.stop() } }
        server.behavior = .status(400)
        let fallback = RecordingAlertSink()
        let webhook = try sink(server, fallback: fallback, attempts: 4)
        await webhook.send(Alert(name: "a", severity: .warning, message: "m"))
        await webhook.flush()
        #expect(server.requests.count == 1)
        #expect(fallback.alerts(named: "a").count == 1)
    }

    @Test("a dead endpoint opens the breaker: alerts go to the log without network calls; a probe after the cool-down closes it")
    func breaker() async throws {
        let server = try await TestWebhookServer.start()
        let port = server.port
        await server.stop()
        let fallback = RecordingAlertSink()
        let clock = ManualClock()
        var options = WebhookAlertSink.Options(endpoint: HTTPEndpoint(host: "127.0.0.1", port: port, path: "/"))
        options.retry = RetryPolicy(maxAttempts: 2, initialDelay: .milliseconds(5), maxDelay: .milliseconds(5))
        options.breaker = CircuitBreakerOptions(failureThreshold: 2, coolDown: .seconds(30))
        let webhook = WebhookAlertSink(options: options, fallback: fallback, clock: clock)
        for index in 0..<4 { await webhook.send(Alert(name: "n\(index)", severity: .warning, message: "m")) }
        await webhook.flush()
        #expect(webhook.breaker.currentState.name == "open")
        #expect(webhook.breaker.counters.calls == 2, "after two failures no more connection attempts")
        #expect(webhook.breaker.counters.refused == 2)
        for index in 0..<4 {
            #expect(fallback.alerts(named: "n\(index)").first?.details["delivery_failed"] != nil, "n\(index) went to the fallback")
        }
        #expect(fallback.severities("alert_webhook_failing") == [.warning], "the open breaker is reported")
        // The endpoint comes back on the same port; after the cool-down a probe closes the breaker.
        let revived = try await TestWebhookServer.start(port: port)
        defer { Task { await revived.stop() } }
        clock.advance(by: .seconds(31))
        await webhook.send(Alert(name: "after", severity: .warning, message: "m"))
        await webhook.flush()
        #expect(webhook.breaker.currentState.name == "closed")
        #expect(revived.requests.count == 1)
        #expect(fallback.severities("alert_webhook_failing") == [.warning, .resolved])
    }

    @Test("a server that never answers times out")
    func timeout() async throws {
        let server = try await TestWebhookServer.start()
        defer { Task { await server.stop() } }
        server.behavior = .silent
        let fallback = RecordingAlertSink()
        let webhook = try sink(server, fallback: fallback, attempts: 1, timeout: .milliseconds(200))
        let started = ContinuousClock.now
        await webhook.send(Alert(name: "a", severity: .critical, message: "m"))
        #expect(ContinuousClock.now - started < .milliseconds(100), "send does not wait for delivery")
        await webhook.flush()
        #expect(fallback.alerts(named: "a").first?.details["delivery_failed"]?.contains("timeout") == true)
    }
}
