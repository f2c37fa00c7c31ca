import Foundation
@testable import MantisDB
import NIOCore
import NIOPosix

/// A tiny RESP client for tests: writes raw bytes or commands, reads replies (every RESP3 type)
/// with a timeout, and can tell when the server closed the connection.
final class RESPTestClient {
    let channel: any Channel
    private var iterator: AsyncStream<ByteBuffer>.Iterator
    private var buffer = ByteBuffer()
    private(set) var isClosed = false

    private init(channel: any Channel, stream: AsyncStream<ByteBuffer>) {
        self.channel = channel
        self.iterator = stream.makeAsyncIterator()
    }

    static func connect(port: Int) async throws -> RESPTestClient {
        let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(continuation: continuation))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RESPTestClient(channel: channel, stream: stream)
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    func send(_ text: String) async throws { try await send(Array(text.utf8)) }

    /// Sends a command as an array of bulk strings.
    func send(command words: [String]) async throws {
        try await send(Self.encode(words))
    }

    static func encode(_ words: [String]) -> [UInt8] {
        var bytes = Array("*\(words.count)\r\n".utf8)
        for word in words {
            bytes += Array("$\(word.utf8.count)\r\n".utf8) + Array(word.utf8) + [13, 10]
        }
        return bytes
    }

    /// Sends a command and reads its reply.
    @discardableResult
    func call(_ words: String...) async throws -> RESPValue {
        try await send(command: words)
        return try await read()
    }

    func callText(_ words: String...) async throws -> String? {
        try await send(command: words)
        return try await read().text
    }

    /// The next reply; throws on timeout or if the connection closes first.
    func read(timeout: Duration = .seconds(20)) async throws -> RESPValue {
        let deadline = ContinuousClock.now + timeout
        while true {
            var copy = buffer
            if let value = try Self.parse(&copy) {
                buffer = copy
                return value
            }
            guard try await receive(until: deadline) else { throw TestClientError.closed }
        }
    }

    /// True once the server closed the connection (reads and discards anything before the close).
    func waitForClose(timeout: Duration = .seconds(20)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !isClosed {
            guard try await receive(until: deadline) else { return true }
        }
        return true
    }

    /// Reads one more chunk; false at end of stream.
    private func receive(until deadline: ContinuousClock.Instant) async throws -> Bool {
        guard !isClosed else { return false }
        var iterator = self.iterator
        let chunk = try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            nonisolated(unsafe) var local = iterator
            group.addTask { await local.next() }
            group.addTask {
                try await Task.sleep(until: deadline)
                throw TestClientError.timeout
            }
            defer { group.cancelAll() }
            let result = try await group.next()!
            iterator = local
            return result
        }
        self.iterator = iterator
        guard var chunk else {
            isClosed = true
            return false
        }
        buffer.writeBuffer(&chunk)
        return true
    }

    func close() async {
        try? await channel.close()
    }

    /// Parses one RESP3 (or RESP2) reply; nil if incomplete.
    static func parse(_ buffer: inout ByteBuffer) throws -> RESPValue? {
        guard let type = buffer.readInteger(as: UInt8.self) else { return nil }
        guard let line = readLine(&buffer) else { return nil }
        switch type {
        case UInt8(ascii: "+"): return .simpleString(line)
        case UInt8(ascii: "-"): return .error(line)
        case UInt8(ascii: ":"): return .integer(Int64(line)!)
        case UInt8(ascii: "("): return .bigNumber(line)
        case UInt8(ascii: ","): return .double(Double(line)!)
        case UInt8(ascii: "#"): return .boolean(line == "t")
        case UInt8(ascii: "_"): return .null
        case UInt8(ascii: "$"), UInt8(ascii: "="):
            let length = Int(line)!
            if length < 0 { return .null }
            guard buffer.readableBytes >= length + 2 else { return nil }
            let bytes = buffer.readBytes(length: length)!
            buffer.moveReaderIndex(forwardBy: 2)
            if type == UInt8(ascii: "=") {
                return .verbatimString(format: String(decoding: bytes.prefix(3), as: UTF8.self),
                                       text: String(decoding: bytes.dropFirst(4), as: UTF8.self))
            }
            return .bulkString(bytes)
        case UInt8(ascii: "*"), UInt8(ascii: "~"), UInt8(ascii: ">"), UInt8(ascii: "%"):
            let count = Int(line)!
            if count < 0 { return .nullArray }
            var elements: [RESPValue] = []
            for _ in 0..<(type == UInt8(ascii: "%") ? count * 2 : count) {
                guard let element = try parse(&buffer) else { return nil }
                elements.append(element)
            }
            switch type {
            case UInt8(ascii: "~"): return .set(elements)
            case UInt8(ascii: ">"): return .push(elements)
            case UInt8(ascii: "%"):
                return .map(stride(from: 0, to: elements.count, by: 2).map { RESPMapEntry(elements[$0], elements[$0 + 1]) })
            default: return .array(elements)
            }
        default:
            throw TestClientError.malformed("unexpected type byte \(type)")
        }
    }

    private static func readLine(_ buffer: inout ByteBuffer) -> String? {
        let view = buffer.readableBytesView
        guard let cr = view.firstIndex(of: 13), view.index(after: cr) < view.endIndex else { return nil }
        let length = cr - view.startIndex
        let line = buffer.readString(length: length)!
        buffer.moveReaderIndex(forwardBy: 2)
        return line
    }

    enum TestClientError: Error { case closed, timeout, malformed(String) }

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let continuation: AsyncStream<ByteBuffer>.Continuation
        init(continuation: AsyncStream<ByteBuffer>.Continuation) { self.continuation = continuation }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            continuation.yield(unwrapInboundIn(data))
        }
        func channelInactive(context: ChannelHandlerContext) {
            continuation.finish()
            context.fireChannelInactive()
        }
    }
}

extension RESPValue {
    /// The elements of an array, set or push reply.
    var elements: [RESPValue]? {
        switch self {
        case .array(let elements), .set(let elements), .push(let elements): elements
        default: nil
        }
    }

    var integerValue: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }
}
