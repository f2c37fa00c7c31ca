import ArgumentParser

struct WALCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wal",
        abstract: "Inspect and verify a write-ahead log directory (read-only).",
        subcommands: [WALInspectCommand.self, WALVerifyCommand.self]
    )
}
