import MantisCore
import NIOCore
import NIOHTTP1
import NIOPosix

/// HTTP/1.1 `POST` with SwiftNIO: one connection per request (`Connection: close`), the whole
/// exchange bounded by the timeout. Plain HTTP only.
public struct NIOHTTPTransport: HTTPTransport {
    let group: any EventLoopGroup

    public init(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.group = group
    }

    public func post(_ endpoint: HTTPEndpoint, body: [UInt8], headers: [(String, String)], timeout: Duration) async throws -> Int {
        let eventLoop = group.next()
        let promise = eventLoop.makePromise(of: Int.self)
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: endpoint.path)
        head.headers.add(name: "Host", value: endpoint.port == 80 ? endpoint.host : "\(endpoint.host):\(endpoint.port)")
        head.headers.add(name: "Content-Type", value: "application/json")
        head.headers.add(name: "Content-Length", value: String(body.count))
        head.headers.add(name: "Connection", value: "close")
        head.headers.add(name: "User-Agent", value: "mantisdb")
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        let request = head
        let deadline = eventLoop.scheduleTask(in: .nanoseconds(timeout.nanosecondsClamped)) {
            promise.fail(MantisError(.timeout, "the webhook did not answer within \(timeout)",
                                     context: ErrorContext(operation: "webhook post", metadata: ["url": endpoint.description])))
        }
        let connect = ClientBootstrap(group: eventLoop)
            .connectTimeout(.nanoseconds(timeout.nanosecondsClamped))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ExchangeHandler(request: request, body: body, promise: promise))
                }
            }
            .connect(host: endpoint.host, port: endpoint.port)
        connect.whenFailure { error in
            promise.fail(MantisError(.ioError, "cannot connect to the webhook: \(error)",
                                     context: ErrorContext(operation: "webhook connect", metadata: ["url": endpoint.description])))
        }
        promise.futureResult.whenComplete { _ in
            deadline.cancel()
            connect.whenSuccess { channel in channel.close(promise: nil) }
        }
        return try await promise.futureResult.get()
    }
}

/// Writes the request once connected and completes the promise with the response status after
/// the whole response was read.
private final class ExchangeHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    let request: HTTPRequestHead
    let body: [UInt8]
    let promise: EventLoopPromise<Int>
    var status: Int?

    init(request: HTTPRequestHead, body: [UInt8], promise: EventLoopPromise<Int>) {
        self.request = request
        self.body = body
        self.promise = promise
    }

    func channelActive(context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(.head(request)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): status = Int(head.status.code)
        case .body: break
        case .end:
            promise.succeed(status ?? 0)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(MantisError(.ioError, "the webhook closed the connection before a complete response",
                                 context: ErrorContext(operation: "webhook post")))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(MantisError(.ioError, "webhook connection error: \(error)", context: ErrorContext(operation: "webhook post")))
        context.close(promise: nil)
    }
}
