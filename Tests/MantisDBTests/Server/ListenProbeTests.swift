import MantisCore
@testable import MantisDB
import NIOCore
import NIOPosix
import Testing

@Suite("Listen probe") struct ListenProbeTests {
    @Test("a port in use is refused before anything opens, naming the address, the purpose and the setting")
    func portInUse() async throws {
        let holder = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(holder.localAddress?.port)
        do {
            try ListenProbe.check(host: "127.0.0.1", port: port, purpose: "RESP", setting: "server.port, --port")
            Issue.record("a port in use must be refused")
        } catch let error as MantisError {
            #expect(error.code == .ioError)
            #expect(error.message.hasPrefix("cannot listen on 127.0.0.1:\(port) for RESP (server.port, --port): "))
            #expect(error.message.contains("another process"))
        }
        // The RESP server's own bind (a port taken after the probe) says the same.
        try await RESPTestHarness.with(configure: { $0.port = 0 }) { harness in
            var options = RESPServerOptions()
            options.port = port
            let second = RESPServer(database: harness.database, options: options)
            await #expect(throws: MantisError.self) { try await second.start() }
            await second.shutdown()
        }
        try await holder.close()
        try ListenProbe.check(host: "127.0.0.1", port: port, purpose: "RESP", setting: "server.port")
        try ListenProbe.check(host: "127.0.0.1", port: 0, purpose: "RESP", setting: "server.port")
    }
}
