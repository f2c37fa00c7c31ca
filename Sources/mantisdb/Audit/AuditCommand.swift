import ArgumentParser

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Inspect the audit trail of critical operations.",
        subcommands: [AuditVerifyCommand.self]
    )
}
