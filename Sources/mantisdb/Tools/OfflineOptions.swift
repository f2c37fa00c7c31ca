import ArgumentParser
import Foundation
import Logging
import MantisDB

/// Database options for a tool working on an existing, stopped data directory. A path that is
/// not one (`DataDirectoryCheck`) is refused before anything could create it: the reason on
/// stderr, exit 3 (bad input). Then the configuration file if given (else defaults), the
/// directory given, no background work, and `createIfMissing` off. `readOnly` tools skip the
/// configuration's write probe of the data (and archive) directory, so they change nothing.
func offlineOptions(directory: String, config: String?, readOnly: Bool = false) throws -> DatabaseOptions {
    try requireDataDirectory(directory)
    var overrides = ["data_dir": directory]
    overrides["integrity.scrub_interval"] = "null"
    overrides["checkpoint.interval"] = "null"
    overrides["checkpoint.wal_bytes"] = "null"
    overrides["checkpoint.on_close"] = "false"
    let configuration = try MantisConfiguration.load(file: config, environment: [:], overrides: overrides, registry: .executable,
                                                     checkDataDirectory: !readOnly)
    var options = try configuration.databaseOptions(registry: .executable, logger: Logger(label: "mantisdb.tool"))
    options.createIfMissing = false
    return options
}

/// Refuses (exit 3, the reason on stderr) a path that is not an existing data directory.
func requireDataDirectory(_ directory: String) throws {
    do {
        try DataDirectoryCheck.requireExisting(directory)
    } catch {
        throw toolFailure("\(error)", exitCode: 3)
    }
}

/// Writes `error: message` to stderr and returns the exit code to throw.
func toolFailure(_ message: String, exitCode: Int32) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    return ExitCode(exitCode)
}
