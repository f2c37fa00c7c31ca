import ArgumentParser
import MantisDB

@main
struct MantisDBCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mantisdb",
        abstract: "MantisDB: a key-value database that never loses an acknowledged write.",
        subcommands: [ServeCommand.self, CheckpointCommand.self, RecoverCommand.self, BackupCommand.self, RestoreCommand.self, WALCommand.self, BenchCommand.self, ConfigCommand.self, AuditCommand.self]
    )

    static func main() async {
        HugePages.enableByReexecuting()  // before anything runs: it may replace the process
        await main(nil)
    }
}
