import MantisCore

/// The text form of the log's marker files (`sync-failed`, `tail-unsynced`): a title line,
/// `name value` lines, and a last line `crc32 N` over everything before it.
enum WALMarkerText {
    static func encode(title: String, fields: KeyValuePairs<String, String>) -> [UInt8] {
        let body = title + "\n" + fields.map { "\($0.key) \($0.value)\n" }.joined()
        let crc = Array(body.utf8).withUnsafeBytes { SoftwareCRC32.checksum($0) }
        return Array((body + "crc32 \(crc)\n").utf8)
    }

    /// The fields of a marker whose checksum verifies; otherwise throws `Damage` with the reason.
    static func decode(_ bytes: [UInt8]) throws(Damage) -> [String: String] {
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 3, lines.last == "", lines[lines.count - 2].hasPrefix("crc32 ") else { throw Damage(reason: "no checksum") }
        let body = lines.dropLast(2).joined(separator: "\n") + "\n"
        let crc = Array(body.utf8).withUnsafeBytes { SoftwareCRC32.checksum($0) }
        guard UInt32(lines[lines.count - 2].dropFirst(6)) == crc else { throw Damage(reason: "checksum mismatch") }
        var fields: [String: String] = [:]
        for line in body.split(separator: "\n").dropFirst() {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
        }
        return fields
    }

    struct Damage: Error {
        var reason: String
    }
}
