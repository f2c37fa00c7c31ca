import Foundation
import MantisCore

extension AuditEntry {
    /// Reads one line of an audit file back (without verifying it: see `AuditVerifier`).
    /// Nil if it is not a well-formed entry.
    public static func decode(_ line: some StringProtocol) -> AuditEntry? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(String(line).utf8)) as? [String: Any],
              let sequence = (object["seq"] as? NSNumber)?.uint64Value,
              let action = object["action"] as? String,
              let outcomeText = object["outcome"] as? String, let outcome = AuditEvent.Outcome(rawValue: outcomeText),
              let actor = object["actor"] as? String,
              let time = (object["time_ns"] as? NSNumber)?.uint64Value,
              let previous = object["prev"] as? String, let hash = object["hash"] as? String
        else { return nil }
        let details = (object["details"] as? [String: String]) ?? [:]
        return AuditEntry(sequence: sequence, event: AuditEvent(action: action, outcome: outcome, actor: actor, details: details, timeNanoseconds: time),
                          previousHash: previous, hash: hash)
    }
}
