import Logging
@testable import ObservabilityKit
import Testing

@Suite("Log handlers") struct LogHandlerTests {
    @Test("JSON lines: timestamp, level, label, message, merged metadata, source")
    func json() throws {
        let output = MemoryLogOutput()
        var logger = Logger(label: "mantisdb.test") { label in JSONLogHandler(label: label, level: .debug, output: output) }
        logger[metadataKey: "data_dir"] = "/srv/data"
        logger.info("checkpoint taken\nsecond line", metadata: ["lsn": "42", "files": .array(["a", "b"]), "nested": ["k": "v \"q\""]])
        logger.trace("not written")
        #expect(output.lines.count == 1)
        let object = try jsonObject(output.lines[0])
        #expect(object["level"] as? String == "info")
        #expect(object["label"] as? String == "mantisdb.test")
        #expect(object["message"] as? String == "checkpoint taken\nsecond line")
        let timestamp = try #require(object["timestamp"] as? String)
        #expect(timestamp.count == 24 && timestamp.hasSuffix("Z") && timestamp.contains("T"))
        let metadata = try #require(object["metadata"] as? [String: Any])
        #expect(metadata["lsn"] as? String == "42" && metadata["data_dir"] as? String == "/srv/data")
        #expect(metadata["files"] as? [String] == ["a", "b"])
        #expect((metadata["nested"] as? [String: String])?["k"] == "v \"q\"")
        #expect(object["source"] as? String == "ObservabilityKitTests")
        #expect(!output.lines[0].contains("\n"))
    }

    @Test("text lines: one readable line per entry, metadata as sorted key=value")
    func text() {
        let output = MemoryLogOutput()
        let logger = Logger(label: "mantisdb.disk") { label in TextLogHandler(label: label, level: .info, output: output) }
        logger.warning("disk space below the reserve\nwrites refused", metadata: ["path": "/srv/my data", "available_bytes": "10"])
        logger.debug("hidden")
        #expect(output.lines.count == 1)
        let line = output.lines[0]
        #expect(line.hasSuffix(" warning mantisdb.disk: disk space below the reserve\\nwrites refused available_bytes=10 path=\"/srv/my data\""), "\(line)")
        #expect(line.dropFirst(24).hasPrefix(" warning"))
    }
}
