import Logging
import NIOCore

/// One client connection: bytes in → `RESPParser` → `RESPSession` → `RESPEncoder` → bytes out.
///
/// Runs on the connection's event loop and blocks it at most for a short sync (see
/// `RESPCommitCoalescer`). Commands that only read (and the connection commands) run right
/// here, synchronously: no task, no thread hop. A step that
/// awaits the database (a commit, a checkpoint) runs in a `Task`; until it returns, this
/// connection runs nothing else (its later requests wait, in order), the other connections on
/// the loop carry on, and the replies are written when it hops back. Replies produced while
/// handling one read are written together and flushed once (at `channelReadComplete`).
///
/// Backpressure: while a step is in flight, reading from the socket pauses once
/// `readPauseBytes` (4 MiB, at most half of `maxPipelineBytes`) are buffered, so a client
/// pipelining faster than its commits complete is slowed by TCP, not cut off. A single request
/// that needs more than `maxPipelineBytes` buffered to complete is a protocol error.
final class RESPConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Parsed requests waiting at most this many (and about `maxParseAheadBytes`).
    static let maxParseAhead = 1024
    static let maxParseAheadBytes = 4 << 20
    /// Input waiting while a step is in flight past which socket reads pause.
    var readPauseBytes: Int { min(4 << 20, server.options.maxPipelineBytes / 2) }

    let server: RESPServerContext
    private var session: RESPSession?
    private var parser: RESPParser
    private var input: ByteBuffer?
    private var output: ByteBuffer
    private var queue = CircularBuffer<RESPRequest>(initialCapacity: 8)
    private var parseError: RESPProtocolError?
    /// A step is running in a task.
    private var busy = false
    /// No more commands: close once the step in flight (if any) is done.
    private var closing = false
    private var closed = false
    private var shutdownAfterClose = false
    private var shutdownActor = "resp"
    private var needsFlush = false
    private var readHeld = false
    private var lastActivity = NIODeadline.now()
    private var idleCheck: Scheduled<Void>?
    private var coalescer: RESPCommitCoalescer?
    private var bytesIn = 0
    private var bytesOut = 0

    init(server: RESPServerContext) {
        self.server = server
        self.parser = RESPParser(options: server.options)
        self.output = ByteBuffer()
    }

    // MARK: Lifecycle

    func channelActive(context: ChannelHandlerContext) {
        let statistics = server.statistics
        statistics.add(statistics.connectionsReceived, 1)
        let id = statistics.nextClientID.wrappingAdd(1, ordering: .relaxed).oldValue
        let address = context.channel.remoteAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "?"
        let record = RESPClientRecord(id: id, address: address)
        output = context.channel.allocator.buffer(capacity: 256)
        guard server.registry.register(context.channel, record: record) else {
            statistics.add(statistics.connectionsRejected, 1)
            closed = true
            output.writeStaticString("-ERR max number of clients reached\r\n")
            let loopContext = context
            context.writeAndFlush(wrapOutboundOut(output)).assumeIsolated().whenComplete { _ in
                loopContext.close(promise: nil)
            }
            return
        }
        session = RESPSession(server: server, record: record)
        scheduleIdleCheck(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        idleCheck?.cancel()
        idleCheck = nil
        if let session {
            session.close()
            server.registry.unregister(session.record.id)
            self.session = nil
        }
        publishCounts()
        if shutdownAfterClose, let onShutdown = server.onShutdown {
            shutdownAfterClose = false
            let database = server.database, actor = shutdownActor
            Task {
                await database.recordAudit("admin_command", actor: actor, details: ["command": "SHUTDOWN"])
                await onShutdown()
            }
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        server.logger.debug("RESP connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is RESPShutdownEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        closing = true
        if !busy { finishPass(context: context) }
    }

    // MARK: Input

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        bytesIn += bytes.readableBytes
        guard !closing, !closed, session != nil else { return }
        lastActivity = .now()
        if input == nil || input!.readableBytes == 0 {
            input = bytes
        } else {
            input!.writeBuffer(&bytes)
        }
        if !busy { process(context: context, flush: false) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if needsFlush {
            needsFlush = false
            context.flush()
        }
        publishCounts()
        context.fireChannelReadComplete()
    }

    /// Holds socket reads while a step is in flight and much input is already waiting.
    func read(context: ChannelHandlerContext) {
        if busy, (input?.readableBytes ?? 0) >= readPauseBytes {
            readHeld = true
            return
        }
        context.read()
    }

    // MARK: Processing

    /// Runs requests until the input is used up, a step goes async, or the connection closes.
    private func process(context: ChannelHandlerContext, flush: Bool) {
        guard let session else { return }
        while !busy, !closing {
            if queue.isEmpty {
                parseAhead()
                if queue.isEmpty {
                    if let parseError {
                        fail(context: context, parseError)
                        return
                    }
                    // The parser needs more bytes: bound what one incomplete request may hold.
                    if (input?.readableBytes ?? 0) + parser.partialBytes > server.options.maxPipelineBytes {
                        fail(context: context, RESPProtocolError(
                            "too big request or pipeline: more than \(server.options.maxPipelineBytes) bytes buffered unparsed"))
                        return
                    }
                    break
                }
            }
            let step = session.step(&queue)
            let encoder = session.encoder  // after the step: `HELLO 3` replies in RESP3
            switch step {
            case .reply(let value):
                encoder.encode(value, into: &output)
            case .replies(let values):
                for value in values { encoder.encode(value, into: &output) }
            case .close(let value):
                encoder.encode(value, into: &output)
                closing = true
            case .shutdown(let value):
                encoder.encode(value, into: &output)
                closing = true
                shutdownAfterClose = true
                shutdownActor = session.auditActor
            case .work(let run):
                start(run, context: context)
            case .commit(let ops):
                commit(ops, context: context)
            }
        }
        compactInput()
        if closing && !busy {
            finishPass(context: context)
        } else {
            emit(context: context)
            if flush || busy { flushNow(context: context) }
        }
    }

    private func parseAhead() {
        guard input != nil, parseError == nil else { return }
        var bytes = 0
        while queue.count < Self.maxParseAhead, bytes < Self.maxParseAheadBytes {
            do {
                guard let request = try parser.next(&input!) else { return }
                bytes += request.arguments.reduce(16) { $0 + $1.count }
                queue.append(request)
            } catch {
                parseError = error
                return
            }
        }
    }

    private func start(_ run: @escaping @Sendable () async -> [RESPValue], context: ChannelHandlerContext) {
        busy = true
        let loop = context.eventLoop
        let handler = NIOLoopBound(self, eventLoop: loop)
        let boundContext = NIOLoopBound(context, eventLoop: loop)
        Task {
            let replies = await run()
            loop.execute { handler.value.finished(replies, context: boundContext.value) }
        }
    }

    /// Hands autocommit writes to the loop's coalescer; like `start`, the connection waits.
    private func commit(_ ops: [RESPDataOp], context: ChannelHandlerContext) {
        busy = true
        if coalescer == nil { coalescer = server.coalescer(for: context.eventLoop) }
        coalescer!.submit(ops) { [self] replies in
            finished(replies, context: context)
        }
    }

    /// Back on the event loop after a step's task.
    private func finished(_ replies: [RESPValue], context: ChannelHandlerContext) {
        busy = false
        guard !closed, let session else { return }
        let encoder = session.encoder
        for reply in replies { encoder.encode(reply, into: &output) }
        lastActivity = .now()
        process(context: context, flush: true)
        if readHeld, !busy {
            readHeld = false
            context.read()
        }
        publishCounts()
    }

    private func compactInput() {
        guard var buffer = input else { return }
        if buffer.readableBytes == 0 {
            input = nil
        } else if buffer.readerIndex > 64 << 10 {
            input = nil  // drop our reference first so the buffer is not copied on write
            buffer.discardReadBytes()
            input = buffer
        }
    }

    /// A malformed request: the error reply, then close (after answering what came before it).
    private func fail(context: ChannelHandlerContext, _ error: RESPProtocolError) {
        server.statistics.add(server.statistics.protocolErrors, 1)
        server.logger.debug("RESP protocol error; closing the connection", metadata: ["error": "\(error.message)"])
        RESPEncoder(version: session?.protocolVersion ?? .resp2).encode(error.reply, into: &output)
        queue.removeAll()
        input = nil
        closing = true
        if !busy { finishPass(context: context) }
    }

    // MARK: Output

    private func emit(context: ChannelHandlerContext) {
        guard output.readableBytes > 0 else { return }
        bytesOut += output.readableBytes
        context.write(wrapOutboundOut(output), promise: nil)
        output = context.channel.allocator.buffer(capacity: 256)
        needsFlush = true
    }

    private func flushNow(context: ChannelHandlerContext) {
        guard needsFlush else { return }
        needsFlush = false
        context.flush()
    }

    /// Writes what is pending and closes once it is sent.
    private func finishPass(context: ChannelHandlerContext) {
        guard !closed else { return }
        closed = true
        emit(context: context)
        needsFlush = false
        let loopContext = context
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0))).assumeIsolated().whenComplete { _ in
            loopContext.close(promise: nil)
        }
    }

    private func publishCounts() {
        let statistics = server.statistics
        statistics.add(statistics.bytesReceived, bytesIn)
        statistics.add(statistics.bytesSent, bytesOut)
        bytesIn = 0
        bytesOut = 0
        if let session, session.commandsHandled > 0 {
            statistics.add(statistics.commandsProcessed, session.commandsHandled)
            session.commandsHandled = 0
        }
    }

    // MARK: Idle timeout

    private func scheduleIdleCheck(context: ChannelHandlerContext) {
        guard let timeout = server.options.idleTimeout, !closed else { return }
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        let deadline = lastActivity + .nanoseconds(max(1_000_000, nanoseconds))
        idleCheck = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            guard !closed else { return }
            if !busy, NIODeadline.now() - lastActivity >= .nanoseconds(nanoseconds) {
                server.logger.debug("closing an idle RESP connection")
                closing = true
                finishPass(context: context)
            } else {
                scheduleIdleCheck(context: context)
            }
        }
    }
}
