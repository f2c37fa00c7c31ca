import ArgumentParser

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks of the storage components on this machine.",
        subcommands: [BenchWALCommand.self, BenchTxnCommand.self, BenchRecoveryCommand.self, BenchCheckpointCommand.self,
                      BenchRESPFloorCommand.self]
    )
}
