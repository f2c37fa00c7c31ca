import MantisCore
import ObservabilityKit

/// The audit entry of a configuration load: the SHA-256 of the effective configuration (secrets
/// redacted), where each non-default key came from, and — compared with the previous load in the
/// trail — which keys changed.
public enum ConfigurationAudit {
    /// Records `config_loaded` in the database's audit trail.
    public static func record(_ loaded: LoadedConfiguration, file: String?, in database: Database, actor: String = "cli") async {
        let pairs = loaded.configuration.effectivePairs()
        var details: [String: String] = [
            "config_sha256": hash(pairs),
            "file": file ?? "(none: defaults, environment and flags)",
        ]
        for (key, value) in pairs { details["config." + key] = value }
        let overridden = loaded.sources.keys.sorted()
        if !overridden.isEmpty { details["set_keys"] = overridden.map { "\($0) (\(loaded.source(of: $0)))" }.joined(separator: ", ") }
        if let previous = previousConfiguration(database) {
            let changed = pairs.filter { previous[$0.0] != $0.1 }.map(\.0)
            details["previous_config_sha256"] = previous["__sha256"] ?? ""
            details["changed_keys"] = changed.isEmpty ? "(none)" : changed.joined(separator: ",")
        }
        await database.recordAudit("config_loaded", actor: actor, details: details)
    }

    /// The SHA-256 of `key=value` lines in key order.
    public static func hash(_ pairs: [(String, String)]) -> String {
        SHA256.hex(pairs.sorted { $0.0 < $1.0 }.map { "\($0.0)=\($0.1)\n" }.joined())
    }

    /// The configuration recorded by the last `config_loaded` entry of the trail, if any.
    static func previousConfiguration(_ database: Database) -> [String: String]? {
        guard let file = database.observability.auditLog as? FileAuditLog,
              let bytes = try? database.options.fileSystem.readFile(file.path) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let line = text.split(separator: "\n").last(where: { $0.contains("\"action\":\"config_loaded\"") }),
              let details = AuditEntry.decode(line)?.event.details else { return nil }
        var previous: [String: String] = [:]
        for (key, value) in details where key.hasPrefix("config.") { previous[String(key.dropFirst(7))] = value }
        previous["__sha256"] = details["config_sha256"]
        return previous
    }
}
