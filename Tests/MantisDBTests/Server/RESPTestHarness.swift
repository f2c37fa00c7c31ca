import Foundation
import Logging
import MantisCore
@testable import MantisDB
import NIOCore
import NIOPosix

/// A database in a temporary directory with a RESP server on an ephemeral port.
struct RESPTestHarness {
    let database: Database
    let server: RESPServer
    let directory: String
    var port: Int { server.boundPort }

    /// Starts one, runs `body`, and always shuts down and cleans up.
    static func with(
        configure: (inout RESPServerOptions) -> Void = { _ in },
        configView: (@Sendable () -> [(String, String)])? = nil,
        onShutdown: (@Sendable () async -> Void)? = nil,
        configureDatabase: (inout DatabaseOptions) -> Void = { _ in },
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        _ body: (RESPTestHarness) async throws -> Void
    ) async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var databaseOptions = DatabaseOptions(directory: directory)
        databaseOptions.wal.segmentSize = 4 << 20
        databaseOptions.wal.prepareSegmentsAhead = false
        databaseOptions.transactions.lockTimeout = .seconds(10)
        configureDatabase(&databaseOptions)
        let database = try await Database.open(databaseOptions)
        var options = RESPServerOptions()
        options.port = 0
        configure(&options)
        let server = RESPServer(database: database, options: options,
                                logger: Logger(label: "resp-test", factory: { _ in SwiftLogNoOpLogHandler() }),
                                configView: configView, onShutdown: onShutdown, eventLoopGroup: eventLoopGroup)
        try await server.start()
        let harness = RESPTestHarness(database: database, server: server, directory: directory)
        do {
            try await body(harness)
        } catch {
            await server.shutdown()
            try? await database.close()
            throw error
        }
        await server.shutdown()
        try await database.close()
    }

    func client() async throws -> RESPTestClient {
        try await RESPTestClient.connect(port: port)
    }
}
