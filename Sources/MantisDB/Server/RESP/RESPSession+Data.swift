import MantisCore
import NIOCore
import TxnKit

extension RESPSession {
    /// Takes the run of key-value commands at the front of `queue` (a pipeline) and runs it:
    /// - outside a transaction, reads only: synchronously, each at the latest committed state
    ///   (`KEYS`, which may walk every key, goes off the event loop like a write);
    /// - outside a transaction, with writes: as **one** database transaction (one commit, one
    ///   wait for durability for the whole run; combined with other connections' runs on the same
    ///   event loop by `RESPCommitCoalescer`) at read committed, an op that reads what it writes
    ///   (`INCR`, `APPEND`, `SET … NX`, `DEL`) taking the key's write lock before it reads, so no
    ///   update is lost and none is refused; deadlocks are retried by `Database.transaction`. If
    ///   it still fails, the ops are run again one by one so each command gets its own outcome.
    ///   Every reply is sent only after the commit is durable;
    /// - inside `BEGIN … COMMIT`: in that transaction, one after another.
    func dataStep(_ queue: inout CircularBuffer<RESPRequest>) -> RESPStep {
        var ops: [RESPDataOp] = []
        var bytes = 0
        while let request = queue.first, ops.count < RESPServerContext.maxBatchOps, bytes < RESPServerContext.maxBatchBytes {
            let name = request.name
            guard let spec = RESPCommandTable.specs[name], spec.flags.contains(.data), spec.acceptsArgumentCount(request.count) else { break }
            queue.removeFirst()
            let op: RESPDataOp = switch RESPDataOp.parse(name, request) {
            case .success(let op): op
            case .failure(let error): .reply(error.reply)
            }
            bytes += op.size
            ops.append(op)
        }
        commandsHandled += ops.count
        if let transaction {
            return transactionStep(ops, transaction)
        }
        let server = self.server
        // Reads run right here unless one may take long (KEYS walks the whole keyspace).
        if !ops.contains(where: { $0.isWrite || $0.isLong }) {
            if ops.count == 1 { return .reply(ops[0].executeRead(context: server)!) }
            return .replies(ops.map { $0.executeRead(context: server)! })
        }
        if ops.contains(where: \.isWrite) { return .commit(ops) }
        return .work { [ops] in await Self.runAutocommit(ops, server: server) }
    }

    static func runAutocommit(_ ops: [RESPDataOp], server: RESPServerContext) async -> [RESPValue] {
        do {
            return try await server.database.transaction(isolation: .readCommitted) { transaction in
                var replies: [RESPValue] = []
                replies.reserveCapacity(ops.count)
                for op in ops { replies.append(try await op.execute(on: transaction, context: server)) }
                return replies
            }
        } catch {
            guard ops.count > 1 else { return [.failure(error)] }
            var replies: [RESPValue] = []
            for op in ops { replies += await runAutocommit([op], server: server) }
            return replies
        }
    }

    /// Ops inside an interactive transaction. The first database error aborts the transaction
    /// (its reply says why); the ops after it get `transactionAborted`.
    private func transactionStep(_ ops: [RESPDataOp], _ transaction: Transaction) -> RESPStep {
        if transaction.isFinished {
            let reply = Self.abortedReply(transaction)
            return .replies(ops.map { _ in reply })
        }
        let server = self.server
        return .work {
            var replies: [RESPValue] = []
            for op in ops {
                guard !transaction.isFinished else {
                    replies.append(Self.abortedReply(transaction))
                    continue
                }
                do { replies.append(try await op.execute(on: transaction, context: server)) } catch { replies.append(.failure(error)) }
            }
            return replies
        }
    }

    /// What a command in a finished transaction gets: `TXNTIMEOUT` if the timeout reaper ended it
    /// (the client may not have been told yet), else `transactionAborted`.
    static func abortedReply(_ transaction: Transaction) -> RESPValue {
        transaction.expiry.map(RESPValue.failure) ?? transactionAborted
    }

    static let transactionAborted = RESPValue.error(
        "ERR the transaction was aborted by an earlier error; send ROLLBACK (or BEGIN to start over)")
}
