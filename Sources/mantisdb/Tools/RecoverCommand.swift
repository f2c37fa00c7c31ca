import ArgumentParser
import MantisCore
import MantisDB

struct RecoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recover",
        abstract: "Show what crash recovery would do (--dry-run, changes nothing), or run it.",
        discussion: "Exit 0: would open normally (or did); 2: safe mode, or the open refuses the directory (the reason is printed); 3: bad input (not a data directory)."
    )

    @Argument(help: "The data directory.") var directory: String
    @Flag(name: .customLong("dry-run"), help: "Print the recovery plan without changing anything.") var dryRun = false
    @Option(name: .customLong("config"), help: "A configuration file.") var config: String?

    func run() async throws {
        let options = try offlineOptions(directory: directory, config: config, readOnly: dryRun)
        if dryRun {
            let output = RecoveryTool.dryRun(options: options)
            print(output.text, terminator: "")
            if output.exitCode != 0 { throw ExitCode(output.exitCode) }
            return
        }
        let database: Database
        do {
            database = try await Database.open(options)
        } catch let error as MantisError where error.code == .corruption || error.code == .readOnly {
            throw toolFailure("the open refuses this directory: \(error)", exitCode: 2)  // as the dry run predicts
        }
        for step in database.recovery?.steps ?? [] { print(step) }
        let safe = database.isReadOnly
        try await database.close()
        if safe { throw ExitCode(2) }
    }
}
