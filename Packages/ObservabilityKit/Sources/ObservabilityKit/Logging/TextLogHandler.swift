import Logging
import MantisCore

/// A swift-log handler writing one readable line per entry:
///
/// `2026-11-26T14:08:13.123Z warning mantisdb.disk: disk space below the reserve: writes refused path=/srv/data available_bytes=…`
///
/// Metadata as sorted `key=value` pairs (values with spaces quoted). Newlines in messages are
/// escaped so one entry is always one line.
public struct TextLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public let label: String
    let output: any LogOutput

    public init(label: String, level: Logger.Level = .info, output: any LogOutput = FileDescriptorLogOutput.standardError,
                metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.logLevel = level
        self.output = output
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = "\(WallClock.iso8601()) \(event.level.rawValue) \(label): "
        line += event.message.description.replacingNewlines()
        let merged = LogMetadata.merge(handler: metadata, provider: metadataProvider, entry: event.metadata)
        if !merged.isEmpty { line += " " + LogMetadata.text(merged) }
        if let error = event.error { line += " error=" + LogMetadata.text(.string("\(error)")) }
        output.write(line: line)
    }
}

extension String {
    func replacingNewlines() -> String {
        guard contains(where: \.isNewline) else { return self }
        var result = ""
        for character in self {
            if character == "\n" { result += "\\n" } else if character == "\r" { result += "\\r" } else { result.append(character) }
        }
        return result
    }
}
