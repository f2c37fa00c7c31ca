import MantisCore
import ObservabilityKit

/// `mantisdb audit verify`: the text and exit status, as a library function (tests call it).
public enum AuditTool {
    /// Exit 0: intact; 2: tampered or damaged (the first problem names the entry); 1: unreadable.
    public static func verify(path: String, all: Bool = false, fileSystem: any FileSystem = PosixFileSystem()) -> (exitCode: Int32, text: String) {
        let directory = locate(path, fileSystem: fileSystem)
        let result: AuditVerification
        do {
            result = try AuditVerifier.verify(directory: directory, fileSystem: fileSystem)
        } catch {
            return (1, "cannot verify the audit trail in \(directory): \(error)\n")
        }
        var text = ""
        for note in result.notes { text += "note: \(note)\n" }
        guard let first = result.firstProblem else {
            let range = result.lastSequence.map { "entries 1…\($0)" } ?? "no entries"
            text += "audit trail intact: \(range) in \(Path.join(directory, FileAuditLog.fileName))\n"
            if let hash = result.lastHash { text += "last entry hash: \(hash) (compare with a copy kept elsewhere, e.g. the process log)\n" }
            return (0, text)
        }
        text += "AUDIT TRAIL TAMPERED OR DAMAGED: \(first.message)\n"
        if all {
            for problem in result.problems.dropFirst() { text += "  also: \(problem.message)\n" }
        } else if result.problems.count > 1 {
            text += "(\(result.problems.count - 1) more problem(s); --all lists them)\n"
        }
        return (2, text)
    }

    /// The audit directory for a data directory, an audit directory or the `audit.log` file itself.
    public static func locate(_ path: String, fileSystem: any FileSystem) -> String {
        if Path.lastComponent(of: path) == FileAuditLog.fileName { return Path.directory(of: path) }
        if fileSystem.fileExists(Path.join(path, FileAuditLog.fileName)) { return path }
        return FileAuditLog.directory(inDataDirectory: path)
    }
}
