import Logging
import MantisCore

/// A swift-log handler writing one JSON object per line:
///
/// `{"timestamp":"2026-11-26T14:08:13.123Z","level":"info","label":"mantisdb","message":"…",
/// "metadata":{…},"source":"MantisDB","file":"…","line":12}`
///
/// Metadata merges the handler's, the metadata provider's and the entry's (the entry wins);
/// nested values are rendered as JSON arrays and objects. `error` (swift-log 1.12+) is added as
/// `"error"`. Machine-readable for log shippers; see `TextLogHandler` for people.
public struct JSONLogHandler: LogHandler {
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
        var object = JSONObjectWriter()
        object.string("timestamp", WallClock.iso8601())
        object.string("level", event.level.rawValue)
        object.string("label", label)
        object.string("message", event.message.description)
        let merged = LogMetadata.merge(handler: metadata, provider: metadataProvider, entry: event.metadata)
        if !merged.isEmpty { object.raw("metadata", LogMetadata.json(merged)) }
        if let error = event.error { object.string("error", "\(error)") }
        object.string("source", event.source)
        object.string("file", event.file)
        object.integer("line", event.line)
        output.write(line: object.finish())
    }
}

enum LogMetadata {
    static func merge(handler: Logger.Metadata, provider: Logger.MetadataProvider?, entry: Logger.Metadata?) -> Logger.Metadata {
        var merged = handler
        if let provided = provider?.get() { merged.merge(provided) { _, new in new } }
        if let entry { merged.merge(entry) { _, new in new } }
        return merged
    }

    static func json(_ metadata: Logger.Metadata) -> String {
        var object = JSONObjectWriter()
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) { object.raw(key, json(value)) }
        return object.finish()
    }

    static func json(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): return JSONText.quote(text)
        case .stringConvertible(let convertible): return JSONText.quote(convertible.description)
        case .array(let items): return "[" + items.map(json).joined(separator: ",") + "]"
        case .dictionary(let dictionary): return json(dictionary)
        }
    }

    /// `key=value` pairs, sorted; values with spaces, quotes or `=` are quoted.
    static func text(_ metadata: Logger.Metadata) -> String {
        metadata.sorted(by: { $0.key < $1.key }).map { key, value in "\(key)=\(text(value))" }.joined(separator: " ")
    }

    static func text(_ value: Logger.Metadata.Value) -> String {
        let raw: String
        switch value {
        case .string(let text): raw = text
        case .stringConvertible(let convertible): raw = convertible.description
        case .array(let items): return "[" + items.map(text).joined(separator: ", ") + "]"
        case .dictionary(let dictionary): return "{" + text(dictionary) + "}"
        }
        if raw.isEmpty || raw.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }) { return JSONText.quote(raw) }
        return raw
    }
}
