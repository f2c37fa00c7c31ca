import ArgumentParser
import MantisDB

struct WALInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Segments, LSN ranges, record counts and findings. Changes nothing."
    )

    @Argument(help: "The WAL directory (e.g. mantisdb-data/wal).")
    var directory: String

    @Flag(help: "Print one line per record.")
    var records = false

    func run() throws {
        let output = WALTool.inspect(directory: directory, records: records)
        print(output.text, terminator: "")
        if output.exitCode != 0 { throw ExitCode(output.exitCode) }
    }
}
