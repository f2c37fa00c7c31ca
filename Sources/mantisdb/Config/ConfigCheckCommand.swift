import ArgumentParser
import Foundation
import MantisDB

struct ConfigCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Load and validate a configuration (with MANTISDB_* variables and overrides applied); print the effective configuration, or every problem and exit 1.",
        discussion: "Creates the data directory if it is missing, as the server would, to prove it is writable."
    )

    @Argument(help: "The YAML configuration file.")
    var file: String

    @OptionGroup var overrides: ConfigurationOverrides

    func run() throws {
        let (loaded, problems) = MantisConfiguration.inspect(
            file: file, environment: ProcessInfo.processInfo.environment, overrides: try overrides.values(), registry: .executable)
        guard problems.isEmpty else {
            printError("mantisdb: \(file): invalid configuration (\(problems.count) problem\(problems.count == 1 ? "" : "s")):")
            for problem in problems { printError("  - \(problem)") }
            throw ExitCode(1)
        }
        print("# \(file): valid. Effective configuration (a comment names the source of each non-default value):")
        print(loaded.configuration.effectiveYAML(registry: .executable, sources: loaded.sources), terminator: "")
    }
}
