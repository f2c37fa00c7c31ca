import MantisCore

/// Something wrong with an audit trail.
public struct AuditProblem: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// An entry's content does not match its hash, or the next entry records another hash for it.
        case edited
        /// Entries are missing: a gap in the sequence, or fewer entries than the head records.
        case removed
        /// Entries are out of order.
        case reordered
        /// An entry appears twice.
        case duplicated
        /// A line is not an audit entry at all.
        case malformed
        /// The last line is incomplete (a crash while it was written, not yet repaired).
        case incomplete
    }

    public var kind: Kind
    /// The entry's sequence number, when known.
    public var sequence: UInt64?
    /// The 1-based line of the file where it shows.
    public var line: Int?
    public var message: String

    public var description: String { message }
}

/// What `AuditVerifier` found.
public struct AuditVerification: Sendable {
    public var entries = 0
    public var lastSequence: UInt64?
    public var lastHash: String?
    public var head: AuditHead?
    /// Every problem, in file order. Empty: intact.
    public var problems: [AuditProblem] = []
    /// Observations that are not tampering (no head file, head lagging after a crash).
    public var notes: [String] = []

    public var isIntact: Bool { problems.isEmpty }
    /// The first problem: what `mantisdb audit verify` names.
    public var firstProblem: AuditProblem? { problems.first }
}

/// Verifies an audit trail written by `FileAuditLog`: every entry's hash, the sequence, the
/// chain of previous hashes, and the head. Detects an edited entry (its hash no longer matches,
/// or — if the hash was recomputed — the next entry's `prev` no longer matches), a removed entry
/// (a sequence gap; at the end, fewer entries than the head records), entries out of order, and
/// duplicates, and names the entry.
///
/// Limits: the chain is not keyed. Someone who rewrites every entry after an edit, and the head,
/// makes a consistent trail; the head hash is also logged with every entry, so compare it with a
/// copy kept elsewhere (the process log, a log shipper) to rule that out.
public enum AuditVerifier {
    /// Verifies `<directory>/audit.log` (and `audit.head` if present).
    public static func verify(directory: String, fileSystem: any FileSystem = PosixFileSystem()) throws -> AuditVerification {
        let path = Path.join(directory, FileAuditLog.fileName)
        guard fileSystem.fileExists(path) else {
            throw MantisError(.notFound, "no audit trail here (expected \(FileAuditLog.fileName))", context: ErrorContext(operation: "audit verify", file: path))
        }
        let bytes = try fileSystem.readFile(path)
        let headPath = Path.join(directory, FileAuditLog.headName)
        var head: AuditHead?
        var headNote: String?
        if fileSystem.fileExists(headPath) {
            head = AuditHead(decoding: try fileSystem.readFile(headPath))
            if head == nil { headNote = "the head file \(FileAuditLog.headName) is damaged: removal of the last entries cannot be checked" }
        } else {
            headNote = "no head file (\(FileAuditLog.headName)): removal of the last entries cannot be checked"
        }
        var result = verify(bytes: bytes, head: head)
        if let headNote {
            if head == nil && fileSystem.fileExists(headPath) {
                result.problems.append(AuditProblem(kind: .edited, sequence: nil, line: nil, message: headNote))
            } else {
                result.notes.append(headNote)
            }
        }
        return result
    }

    /// Verifies the bytes of an audit file against an optional head.
    public static func verify(bytes: [UInt8], head: AuditHead?) -> AuditVerification {
        var result = AuditVerification()
        result.head = head
        var complete = bytes.count
        if let last = bytes.lastIndex(of: 0x0A) { complete = last + 1 } else { complete = 0 }
        let text = String(decoding: bytes[..<complete], as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        let parsed = lines.map { ParsedAuditLine($0) }
        let allSequences = parsed.compactMap(\.sequence)
        var seen: Set<UInt64> = []
        var reported: Set<UInt64> = []
        var expected: UInt64 = 1
        var previousHash = AuditEntry.genesisHash
        var previousWasGap = false

        func describe(_ entry: ParsedAuditLine) -> String {
            var parts: [String] = []
            if let action = entry.action { parts.append(action) }
            if let time = entry.time { parts.append("at " + time) }
            return parts.isEmpty ? "" : " (" + parts.joined(separator: " ") + ")"
        }

        for (index, entry) in parsed.enumerated() {
            let lineNumber = index + 1
            if let why = entry.malformed {
                result.problems.append(AuditProblem(kind: .malformed, sequence: entry.sequence, line: lineNumber,
                                                    message: "line \(lineNumber) is not a valid audit entry: \(why)"))
                if let stored = entry.storedHash { previousHash = stored }
                if let sequence = entry.sequence { seen.insert(sequence); expected = max(expected, sequence + 1) }
                previousWasGap = true
                continue
            }
            let sequence = entry.sequence!
            result.entries += 1
            var gap = false
            if entry.computedHash != entry.storedHash {
                // Nothing in the line can be trusted, its sequence number included: take it as
                // the entry expected here, so one edit is reported once.
                let assumed = seen.contains(expected) ? sequence : expected
                let claim = assumed == sequence ? "" : " (it now claims to be entry \(sequence))"
                result.problems.append(AuditProblem(kind: .edited, sequence: assumed, line: lineNumber,
                    message: "entry \(assumed) (line \(lineNumber))\(describe(entry)) was edited: its content does not match its hash\(claim)"))
                reported.insert(assumed)
                seen.insert(assumed)
                expected = max(expected, assumed + 1)
                previousHash = entry.storedHash ?? previousHash
                previousWasGap = false
                if result.lastSequence.map({ assumed > $0 }) ?? true {
                    result.lastSequence = assumed
                    result.lastHash = entry.storedHash
                }
                continue
            }
            if seen.contains(sequence) {
                if !reported.contains(sequence) {
                    result.problems.append(AuditProblem(kind: .duplicated, sequence: sequence, line: lineNumber,
                        message: "entry \(sequence) appears again at line \(lineNumber)\(describe(entry)): duplicated or moved"))
                    reported.insert(sequence)
                }
                gap = true
            } else if sequence < expected {
                if !reported.contains(sequence) {
                    result.problems.append(AuditProblem(kind: .reordered, sequence: sequence, line: lineNumber,
                        message: "entry \(sequence) (line \(lineNumber))\(describe(entry)) comes after entry \(expected - 1): entries were reordered"))
                    reported.insert(sequence)
                }
                gap = true
            } else if sequence > expected {
                let missing = expected..<sequence
                let movedLater = missing.filter { allSequences.contains($0) }
                if let moved = movedLater.first {
                    result.problems.append(AuditProblem(kind: .reordered, sequence: moved, line: lineNumber,
                        message: "entry \(moved) is out of order: entry \(sequence) comes before it at line \(lineNumber); entries were reordered"))
                    reported.insert(moved)
                } else {
                    let range = missing.count == 1 ? "entry \(expected) was" : "entries \(expected)…\(sequence - 1) were"
                    result.problems.append(AuditProblem(kind: .removed, sequence: expected, line: lineNumber,
                        message: "\(range) removed: entry \(sequence) follows entry \(expected - 1) at line \(lineNumber)"))
                    for missingSequence in missing { reported.insert(missingSequence) }
                }
                gap = true
            }
            if !gap, !previousWasGap, entry.previousHash != previousHash, sequence > 1 || previousHash != AuditEntry.genesisHash {
                let before = sequence - 1
                if !reported.contains(before) {
                    result.problems.append(AuditProblem(kind: .edited, sequence: before, line: max(1, lineNumber - 1),
                        message: "entry \(before) (line \(lineNumber - 1)) was edited and its hash recomputed: entry \(sequence) records a different hash for it"))
                    reported.insert(before)
                }
            } else if !gap, sequence == 1, entry.previousHash != AuditEntry.genesisHash {
                result.problems.append(AuditProblem(kind: .edited, sequence: 1, line: lineNumber,
                    message: "entry 1 (line \(lineNumber)) does not start the chain: its previous hash is not zero"))
            }
            seen.insert(sequence)
            expected = max(expected, sequence + 1)
            previousHash = entry.storedHash ?? previousHash
            previousWasGap = gap
            if result.lastSequence.map({ sequence > $0 }) ?? true {
                result.lastSequence = sequence
                result.lastHash = entry.storedHash
            }
        }
        if complete < bytes.count {
            result.problems.append(AuditProblem(kind: .incomplete, sequence: nil, line: parsed.count + 1,
                message: "the last line (line \(parsed.count + 1), \(bytes.count - complete) bytes) is incomplete: a crash while it was written, or a cut; the next open moves it to \(FileAuditLog.fileName)\(FileAuditLog.brokenSuffix)"))
        }
        if let head {
            let last = result.lastSequence ?? 0
            if head.sequence > last {
                let range = head.sequence == last + 1 ? "entry \(head.sequence) was" : "entries \(last + 1)…\(head.sequence) were"
                result.problems.append(AuditProblem(kind: .removed, sequence: last + 1, line: nil,
                    message: "\(range) removed from the end: the head records \(head.sequence) entries, the file ends at \(last)"))
            } else if let index = parsed.firstIndex(where: { $0.sequence == head.sequence }), parsed[index].storedHash != head.hash {
                if !reported.contains(head.sequence) {
                    result.problems.append(AuditProblem(kind: .edited, sequence: head.sequence, line: index + 1,
                        message: "entry \(head.sequence) (line \(index + 1)) was edited and its hash recomputed: the head records a different hash for it"))
                }
            } else if head.sequence < last {
                result.notes.append("the head records entry \(head.sequence) but the file goes on to \(last): the head update was lost in a crash, or entries were appended afterwards")
            }
        }
        result.problems.sort { ($0.line ?? Int.max, $0.sequence ?? 0) < ($1.line ?? Int.max, $1.sequence ?? 0) }
        return result
    }
}
