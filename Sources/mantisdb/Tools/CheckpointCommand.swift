import ArgumentParser
import MantisDB

struct CheckpointCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Create, list and verify checkpoints of a data directory.",
        subcommands: [Create.self, List.self, Verify.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open the (stopped) database, take a checkpoint, close it.")
        @Argument(help: "The data directory.") var directory: String
        @Option(name: .customLong("config"), help: "A configuration file (codec, checksum…).") var config: String?

        func run() async throws {
            let options = try offlineOptions(directory: directory, config: config)
            let database = try await Database.open(options)
            do {
                let info = try await database.checkpoint()
                print("checkpoint \(info.path): LSN \(info.lsn), \(info.entryCount) keys, \(info.fileBytes) bytes (\(info.codecName))")
                try await database.close()
            } catch {
                try? await database.close()
                throw error
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List checkpoints, newest first (header and footer checked). Changes nothing.")
        @Argument(help: "The data directory.") var directory: String
        func run() throws {
            let output = CheckpointTool.list(dataDirectory: directory)
            print(output.text, terminator: "")
            if output.exitCode != 0 { throw ExitCode(output.exitCode) }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Read every checkpoint completely. Exit 0 all good, 2 damaged, 3 bad input. Changes nothing.")
        @Argument(help: "The data directory.") var directory: String
        func run() throws {
            let output = CheckpointTool.verify(dataDirectory: directory)
            print(output.text, terminator: "")
            if output.exitCode != 0 { throw ExitCode(output.exitCode) }
        }
    }
}
