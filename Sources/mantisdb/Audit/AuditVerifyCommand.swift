import ArgumentParser
import MantisDB

/// `mantisdb audit verify DIR`: checks every entry's hash, the sequence, the hash chain and the
/// head. Exit 0: intact; 2: tampered or damaged (names the first entry); 1: cannot read.
struct AuditVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify the audit trail: detects any edited, removed or reordered entry and names it.",
        discussion: "DIR is a data directory, its audit/ directory, or the audit.log file. Exit status: 0 intact, 2 tampered or damaged, 1 unreadable."
    )

    @Argument(help: "A data directory, its audit directory, or an audit.log file.") var directory: String
    @Flag(help: "List every problem, not only the first.") var all = false

    func run() throws {
        let (code, text) = AuditTool.verify(path: directory, all: all)
        print(text, terminator: "")
        if code != 0 { throw ExitCode(code) }
    }
}
