import ArgumentParser
import MantisDB

struct WALVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify every record. Exit 0 clean, 1 torn tail (repairable), 2 corruption, 3 unusable input. Changes nothing."
    )

    @Argument(help: "The WAL directory (e.g. mantisdb-data/wal).")
    var directory: String

    func run() throws {
        let output = WALTool.verify(directory: directory)
        print(output.text, terminator: "")
        if output.exitCode != 0 { throw ExitCode(output.exitCode) }
    }
}
