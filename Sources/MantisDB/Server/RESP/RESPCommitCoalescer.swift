import MantisCore
import NIOCore
import TxnKit

/// Server-side group commit, per event loop: the autocommit write batches that the connections of
/// one loop submit while it handles one round of socket reads are committed as **one** database
/// transaction, by one task, with one hop back to the loop for all their replies.
///
/// Many clients each sending one `SET` and waiting (what `redis-benchmark -c 50` does) would
/// otherwise cost a task, a transaction, a WAL append, a durability wait and a thread hop per
/// command. Combined, their writes still happen in each connection's order (the transaction runs
/// the connections' batches one after another and sees its own writes, so two clients' `INCR`s of
/// one key both count), other clients see all of them or none, and each connection's replies are
/// sent only after the combined commit is durable. If the combined transaction fails (a conflict,
/// a database error), every connection's batch is committed on its own (with the usual retries of
/// conflicts), so each command gets its own outcome. Bounded: at most `maxOps` ops / `maxBytes` per combined transaction.
///
/// The combined transaction runs as a task on the loop itself (`EventLoopTaskExecutor`), with
/// `BlockingIO.policy` `.whileFast`: the loop does the transaction's CPU work (ops, log encoding,
/// installing). If the log is idle and its last 16 rounds were all short (`wal.loop_sync_bound`,
/// 1 ms), the loop also leads the log's round: a lone client's commit then costs no thread
/// wake-up (measured: +3–13 % `SET`/s with one client, +4–9 % with 50), and the loop's other
/// connections wait for about one short sync. Otherwise — the log busy, or the disk slow — it
/// suspends until the log's thread reports the commit durable, and serves its other connections
/// meanwhile.
/// A combined transaction of more than `maxLoopBytes`, or with an op that may take long (`KEYS`),
/// runs on the global pool instead, so it does not hold the loop's other connections.
///
/// Lives on its event loop (one per loop, shared by the loop's connections) and is used only there.
final class RESPCommitCoalescer {
    typealias Delivery = ([RESPValue]) -> Void

    static let maxOps = 4096
    static let maxBytes = 16 << 20
    /// Above this many bytes of keys and values, the combined transaction runs off the loop.
    static let maxLoopBytes = 1 << 20

    let loop: any EventLoop
    /// Weak: the context keeps its coalescers, so a strong reference back would keep the context,
    /// and with it the database and all its data, alive after the server is gone.
    private weak var server: RESPServerContext?
    private var batches: [[RESPDataOp]] = []
    private var deliveries: [Delivery] = []
    private var ops = 0
    private var bytes = 0
    /// True once a queued batch has an op that may take long (`RESPDataOp.isLong`).
    private var hasLongOp = false
    private var scheduled = false

    let executor: EventLoopTaskExecutor

    init(loop: any EventLoop, server: RESPServerContext) {
        self.loop = loop
        self.server = server
        self.executor = EventLoopTaskExecutor(loop: loop)
    }

    /// Queues `batch` for the combined commit at the end of this loop round; `deliver` gets its
    /// replies (on the loop) once that commit is durable, or failed.
    func submit(_ batch: [RESPDataOp], deliver: @escaping Delivery) {
        let size = batch.reduce(0) { $0 + $1.size }
        if !batches.isEmpty, ops + batch.count > Self.maxOps || bytes + size > Self.maxBytes { flush() }
        batches.append(batch)
        deliveries.append(deliver)
        ops += batch.count
        bytes += size
        hasLongOp = hasLongOp || batch.contains(where: \.isLong)
        if !scheduled {
            scheduled = true
            // Runs after the I/O events of this round: every connection read in it has submitted.
            loop.assumeIsolated().execute { [self] in
                scheduled = false
                flush()
            }
        }
    }

    private func flush() {
        guard !batches.isEmpty else { return }
        let submitted = batches
        let waiting = NIOLoopBound(deliveries, eventLoop: loop)
        let onLoop = bytes <= Self.maxLoopBytes && !hasLongOp
        batches = []
        deliveries = []
        ops = 0
        bytes = 0
        hasLongOp = false
        guard let server else {
            // Only if the server was released with commands queued: none of them ran.
            let refused = RESPValue.error("ERR server shut down before the command ran")
            Self.deliver(submitted.map { Array(repeating: refused, count: $0.count) }, to: waiting, on: loop)
            return
        }
        Self.start(submitted, waiting, server: server, loop: loop, executor: onLoop ? executor : nil)
    }

    /// With `executor` (the loop's), the commit runs on the loop and leads a log round only
    /// while the disk is fast; without, on the global pool.
    private static func start(_ batches: [[RESPDataOp]], _ waiting: NIOLoopBound<[Delivery]>,
                              server: RESPServerContext, loop: any EventLoop, executor: EventLoopTaskExecutor?) {
        if let executor {
            Task(executorPreference: executor) {
                deliver(await BlockingIO.$policy.withValue(.whileFast) { await commit(batches, server: server) }, to: waiting, on: loop)
            }
        } else {
            Task { deliver(await commit(batches, server: server), to: waiting, on: loop) }
        }
    }

    /// Hands each connection its replies, on the loop (at once if already there).
    private static func deliver(_ replies: [[RESPValue]], to waiting: NIOLoopBound<[Delivery]>, on loop: any EventLoop) {
        guard loop.inEventLoop else {
            loop.execute { deliver(replies, to: waiting, on: loop) }
            return
        }
        for (deliver, batchReplies) in zip(waiting.value, replies) { deliver(batchReplies) }
    }

    /// The replies of each batch, committed together if possible.
    static func commit(_ batches: [[RESPDataOp]], server: RESPServerContext) async -> [[RESPValue]] {
        guard batches.count > 1 else { return [await RESPSession.runAutocommit(batches[0], server: server)] }
        let all = batches.flatMap { $0 }
        do {
            // One attempt: a conflict of the combined transaction is not retried as a whole (a
            // bigger write set conflicts more); each batch is then committed, and retried, alone.
            let transaction = try server.database.begin(.readCommitted)
            var flat: [RESPValue] = []
            flat.reserveCapacity(all.count)
            do {
                for op in all { flat.append(try await op.execute(on: transaction, context: server)) }
                try await transaction.commit()
            } catch {
                transaction.rollback()
                throw error
            }
            var result: [[RESPValue]] = []
            result.reserveCapacity(batches.count)
            var start = 0
            for batch in batches {
                result.append(Array(flat[start..<start + batch.count]))
                start += batch.count
            }
            return result
        } catch {
            // Each connection's batch on its own (concurrently: the WAL still groups their syncs).
            return await withTaskGroup(of: (Int, [RESPValue]).self) { group in
                for (index, batch) in batches.enumerated() {
                    group.addTask { (index, await RESPSession.runAutocommit(batch, server: server)) }
                }
                var result = [[RESPValue]](repeating: [], count: batches.count)
                for await (index, replies) in group { result[index] = replies }
                return result
            }
        }
    }
}
