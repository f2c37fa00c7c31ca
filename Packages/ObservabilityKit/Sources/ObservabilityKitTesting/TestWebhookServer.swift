import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A local HTTP server for webhook tests (127.0.0.1, any free port): records every request and
/// answers as told — 200, another status, or not at all (to exercise timeouts).
public final class TestWebhookServer: Sendable {
    public enum Behavior: Sendable {
        case status(Int)
        /// Never answers (the client's timeout must end the exchange).
        case silent
    }

    public struct Request: Sendable {
        public var method: String
        public var uri: String
        public var headers: [(String, String)]
        public var body: String
    }

    let received = Mutex<[Request]>([])
    let behaviorState = Mutex<Behavior>(.status(200))
    let channelBox = Mutex<(any Channel)?>(nil)
    let portValue = Mutex(0)

    public var port: Int { portValue.withLock { $0 } }
    public var requests: [Request] { received.withLock { $0 } }
    public var behavior: Behavior {
        get { behaviorState.withLock { $0 } }
        set { behaviorState.withLock { $0 = newValue } }
    }

    public static func start(port: Int = 0) async throws -> TestWebhookServer {
        let server = TestWebhookServer()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(RecordingHandler(server: server))
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
        server.channelBox.withLock { $0 = channel }
        server.portValue.withLock { $0 = channel.localAddress?.port ?? 0 }
        return server
    }

    public var url: String { "http://127.0.0.1:\(port)/hooks/mantis" }

    /// Stops listening: later connections are refused.
    public func stop() async {
        let channel = channelBox.withLock { box -> (any Channel)? in
            defer { box = nil }
            return box
        }
        try? await channel?.close().get()
    }

    /// Waits until `count` requests arrived (or ~10 s passed).
    public func waitForRequests(_ count: Int) async {
        for _ in 0..<2000 where requests.count < count { try? await Task.sleep(for: .milliseconds(5)) }
    }
}

private final class RecordingHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let server: TestWebhookServer
    var head: HTTPRequestHead?
    var body = ""

    init(server: TestWebhookServer) { self.server = server }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = ""
        case .body(let buffer):
            body += String(buffer: buffer)
        case .end:
            guard let head else { return }
            server.received.withLock {
                $0.append(TestWebhookServer.Request(method: "\(head.method)", uri: head.uri, headers: head.headers.map { ($0.name, $0.value) }, body: body))
            }
            switch server.behavior {
            case .silent:
                return
            case .status(let code):
                var headers = HTTPHeaders()
                headers.add(name: "Content-Length", value: "2")
                headers.add(name: "Connection", value: "close")
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: code), headers: headers))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: "ok")))), promise: nil)
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
            }
        }
    }
}
