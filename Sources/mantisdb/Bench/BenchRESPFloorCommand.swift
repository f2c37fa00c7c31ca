import ArgumentParser
import MantisDB
import NIOCore
import NIOPosix

/// A measuring stick, not a server: the same SwiftNIO bootstrap, parser and encoder as
/// `mantisdb serve`, with no database behind them. `SET` is answered `+OK` and stores nothing,
/// `GET` answers a fixed value. What it serves under `redis-benchmark` is the most any RESP server
/// built on this stack can serve on this machine, before a single byte is made durable.
struct BenchRESPFloorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resp-floor",
        abstract: "A RESP server that stores nothing: the ceiling of the network path (for bench.sh)."
    )

    @Option(help: "Port to listen on (loopback).")
    var port: Int = 7479

    @Option(name: .customLong("event-loops"), help: "Event loops (default: one per core, as `serve`).")
    var eventLoops: Int = System.coreCount

    @Option(name: .customLong("value-size"), help: "Bytes of the value every GET answers.")
    var valueSize: Int = 100

    func run() async throws {
        guard eventLoops > 0, valueSize >= 0 else { throw ValidationError("--event-loops must be > 0, --value-size ≥ 0") }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: eventLoops)
        let value = [UInt8](repeating: UInt8(ascii: "x"), count: valueSize)
        let channel = try await RESPServer.bootstrap(group: group) { FloorHandler(value: value) }
            .bind(host: "127.0.0.1", port: port).get()
        print("resp-floor listening on 127.0.0.1:\(port) with \(eventLoops) event loop(s); it stores nothing")
        try await channel.closeFuture.get()
    }
}

/// Parses requests with `RESPParser` and answers each with `RESPEncoder`, flushing once per read.
private final class FloorHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var parser = RESPParser()
    private var input: ByteBuffer?
    private let encoder = RESPEncoder(version: .resp2)
    private let value: [UInt8]

    init(value: [UInt8]) { self.value = value }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if input == nil { input = bytes } else { input!.writeBuffer(&bytes) }
        var output = context.channel.allocator.buffer(capacity: 64)
        do {
            while let request = try parser.next(&input!) {
                encoder.encode(reply(to: request), into: &output)
            }
        } catch {
            output.writeString("-ERR Protocol error: \(error)\r\n")
            context.writeAndFlush(wrapOutboundOut(output)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            return
        }
        if input!.readableBytes == 0 { input = nil }
        if output.readableBytes > 0 { context.write(wrapOutboundOut(output), promise: nil) }
    }

    func channelReadComplete(context: ChannelHandlerContext) { context.flush() }

    private func reply(to request: RESPRequest) -> RESPValue {
        switch request.name {
        case "GET": .bulkString(value)
        case "PING": .simpleString("PONG")
        // redis-benchmark reads `save` and `appendonly` with CONFIG GET before it starts.
        case "CONFIG" where request.arguments.count == 3: .array([.bulkString(request.arguments[2]), .bulkString([])])
        case "CONFIG", "COMMAND": .array([])
        default: .simpleString("OK")
        }
    }
}
