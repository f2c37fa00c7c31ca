import ArgumentParser

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Write a default configuration file, or check one.",
        subcommands: [ConfigInitCommand.self, ConfigCheckCommand.self]
    )
}
