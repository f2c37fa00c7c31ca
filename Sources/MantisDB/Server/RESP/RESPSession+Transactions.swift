import MantisCore
import TxnKit

/// `MULTI`/`EXEC`/`DISCARD`/`WATCH`/`UNWATCH` (Redis semantics) and interactive transactions
/// (`BEGIN`/`COMMIT`/`ROLLBACK`).
extension RESPSession {
    func beginMulti() -> RESPValue {
        if multi != nil { return .error("ERR MULTI calls can not be nested") }
        if transaction != nil { return .error("ERR MULTI is not allowed inside BEGIN … COMMIT") }
        multi = []
        multiBytes = 0
        multiFailed = false
        record.details.withLock { $0.inMulti = true }
        return .ok
    }

    /// A command arriving while in `MULTI` (known, with the right arity: see `step`): a key-value
    /// command (`SCAN` too, which sees the queue's earlier writes), `INFO`, `COMMAND` or `CONFIG` is
    /// queued (`+QUEUED`) and runs at `EXEC`. As in Redis, a syntax error in its arguments (an unknown
    /// option, a non-integer increment) is queued too, as that command's error reply at `EXEC`,
    /// and the others still run. An expiry option (not supported here) and a command that cannot
    /// be queued get an error now and make `EXEC` fail with `EXECABORT`.
    func queueInMulti(_ name: String, _ spec: RESPCommandSpec, _ request: RESPRequest) -> RESPValue {
        switch name {
        case "MULTI": return .error("ERR MULTI calls can not be nested")
        case "WATCH": return .error("ERR WATCH inside MULTI is not allowed")
        default: break
        }
        let op: RESPDataOp
        if spec.flags.contains(.data) {
            switch RESPDataOp.parse(name, request) {
            case .success(let parsed): op = parsed
            case .failure(let error) where error.unsupported:
                multiFailed = true
                return error.reply
            case .failure(let error): op = .reply(error.reply)
            }
        } else if let rejection = RESPSubcommands.rejection(request) {
            // An unknown subcommand or a wrong argument count: refused now, as Redis.
            multiFailed = true
            return rejection
        } else if name == "INFO" {
            op = .info(request, replySize: server.introspectionReply(request).approximateSize)
        } else if let reply = queuedConnectionReply(name, request) {
            op = .reply(reply)
        } else {
            multiFailed = true
            return .error("ERR '\(name.lowercased())' is not allowed inside MULTI")
        }
        guard multi!.count < server.options.maxArrayLength, multiBytes + op.size <= server.options.maxPipelineBytes else {
            multiFailed = true
            return .error("ERR too many commands queued in MULTI")
        }
        multi!.append(op)
        multiBytes += op.size
        return .queued
    }

    /// The reply at `EXEC` of a command that Redis queues, decided now (nil: the command cannot be
    /// queued here). Their outcome does not depend on when they run: `PING`, `ECHO`, `SELECT`,
    /// `COMMAND` and `CONFIG` (a fixed table and a read-only view), `CLIENT ID`, `CLIENT HELP`, `UNWATCH` (a no-op for this `EXEC`: the
    /// watched keys are checked before the queue runs and forgotten after it, as in Redis),
    /// `CLIENT GETNAME` (the name a queued `SETNAME` before it gives) and `CLIENT SETNAME`, whose
    /// name is applied only if `EXEC` runs the queue (`multiClientName`). `AUTH` too: a connection in
    /// `MULTI` is authenticated already and there is one user, so `AUTH` only answers (a failed
    /// one does not log the connection out, as in Redis). A `CLIENT` subcommand's argument count
    /// was checked before (`RESPSubcommands`).
    private func queuedConnectionReply(_ name: String, _ request: RESPRequest) -> RESPValue? {
        switch name {
        case "PING": return ping(request)
        case "ECHO": return .bulkString(request.arguments[1])
        case "SELECT": return select(request)
        case "UNWATCH": return .ok
        case "AUTH": return auth(request)
        case "COMMAND", "CONFIG": return server.introspectionReply(request)
        case "CLIENT":
            switch request.word(1) {
            case "HELP": return RESPSubcommands.help(for: "CLIENT")
            case "ID": return .integer(Int64(record.id))
            case "GETNAME":
                let name = multiClientName ?? record.details.withLock { $0.name }
                return name.map(RESPValue.bulk) ?? .null
            case "SETNAME":
                let name = request.arguments[2]
                if let failure = Self.checkName(name) { return failure }
                multiClientName = .some(Self.storedName(name))
                return .ok
            default: return nil
            }
        default: return nil
        }
    }

    func discard() -> RESPValue {
        guard multi != nil else { return .error("ERR DISCARD without MULTI") }
        endMulti()
        unwatch()
        return .ok
    }

    func endMulti() {
        multi = nil
        multiClientName = nil
        multiBytes = 0
        multiFailed = false
        record.details.withLock { $0.inMulti = false }
    }

    /// Runs the queued ops as one serializable database transaction (retried on conflicts). If a
    /// `WATCH`ed key got a commit after its `WATCH` (a delete included: the watch's snapshot pin
    /// keeps garbage collection from removing it), nothing runs and the reply is a null array.
    /// After the pin expired, a watched key the store holds no version of also counts as changed
    /// if a collection has since forgotten a newer delete (`MVCCStore.mayHaveChanged`).
    /// The watched keys are read inside the transaction, so a commit to one of them racing with
    /// `EXEC` fails validation and the retry sees it.
    func exec() -> RESPStep {
        guard let ops = multi else { return .reply(.error("ERR EXEC without MULTI")) }
        let failed = multiFailed
        let watched = self.watched
        // Handed to the work, which releases it after the check (not before: a collection in
        // between could remove the tombstone the check must see).
        let pin = watchPin
        watchPin = nil
        let clientName = multiClientName
        endMulti()
        unwatch()
        if failed {
            pin?.release()
            return .reply(.error("EXECABORT Transaction discarded because of previous errors."))
        }
        let server = self.server, record = self.record
        return .work {
            defer { pin?.release() }
            do {
                let store = server.database.store
                let replies = try await server.database.transaction(isolation: .serializable) { transaction -> [RESPValue]? in
                    // Exact while the pin holds; past transactions.timeout a delete since may
                    // have been collected, and a watched key without versions then counts as changed.
                    for (key, snapshot) in watched {
                        _ = try transaction.get(key)
                        if store.mayHaveChanged(key, since: snapshot) { return nil }
                    }
                    var replies: [RESPValue] = []
                    replies.reserveCapacity(ops.count)
                    for op in ops { replies.append(try await op.execute(on: transaction, context: server)) }
                    return replies
                }
                if replies != nil, let clientName {
                    record.details.withLock { $0.name = clientName }
                }
                return [replies.map(RESPValue.array) ?? .nullArray]
            } catch {
                return [.failure(error)]
            }
        }
    }

    func watch(_ request: RESPRequest) -> RESPValue {
        if transaction != nil { return .error("ERR WATCH is not allowed inside BEGIN … COMMIT") }
        // The visible snapshot, not the key's newest installed version: a commit can be installed
        // before it is visible (an older one still pending), and a GET after WATCH would then read
        // the value before it — EXEC must see that commit as a change. The first WATCH pins its
        // snapshot (as an open transaction does), so garbage collection keeps every version and
        // tombstone committed after it until EXEC, DISCARD, UNWATCH or the connection's end, or
        // for at most transactions.timeout (then EXEC's check is conservative for keys without
        // versions); later WATCHes use a newer snapshot, which that pin covers.
        let snapshot: UInt64
        if watchPin != nil {
            snapshot = database.manager.visibleSnapshot
        } else {
            let pin = database.manager.pinSnapshot(expiringAfter: database.manager.options.transactionTimeout)
            watchPin = pin
            snapshot = pin.snapshot
        }
        for key in request.arguments[1...] where watched[key] == nil {
            guard watched.count < server.options.maxArrayLength else {
                if watched.isEmpty { unwatch() }
                return .error("ERR too many watched keys")
            }
            watched[key] = snapshot
        }
        return .ok
    }

    /// Forgets the watched keys and releases their hold on garbage collection.
    func unwatch() {
        watched = [:]
        watchPin?.release()
        watchPin = nil
    }

    // MARK: Interactive transactions

    /// `BEGIN [READ COMMITTED | SNAPSHOT | SERIALIZABLE]` (default snapshot).
    func begin(_ request: RESPRequest) -> RESPValue {
        if let transaction {
            guard transaction.isFinished else { return .error("ERR BEGIN inside a transaction: COMMIT or ROLLBACK it first") }
            self.transaction = nil  // aborted earlier: starting over is allowed
        }
        var isolation = IsolationLevel.snapshot
        if request.count > 1 {
            let words = (1..<request.count).map { request.text($0) }.joined(separator: " ")
            guard let parsed = IsolationLevel(parsing: words) else {
                return .error("ERR unknown isolation level '\(words)': use READ COMMITTED, SNAPSHOT or SERIALIZABLE")
            }
            isolation = parsed
        }
        do {
            transaction = try database.begin(isolation)
            return .ok
        } catch {
            return .failure(error)
        }
    }

    /// Commits the interactive transaction; the reply comes once the commit is durable.
    func commit() -> RESPStep {
        guard let transaction else { return .reply(.error("ERR COMMIT without BEGIN")) }
        self.transaction = nil
        if transaction.isFinished {
            if let expiry = transaction.expiry { return .reply(.failure(expiry)) }
            return .reply(.error("ERR the transaction was aborted by an earlier error and has been rolled back"))
        }
        return work {
            try await transaction.commit()
            return .ok
        }
    }

    func rollback() -> RESPValue {
        guard let transaction else { return .error("ERR ROLLBACK without BEGIN") }
        transaction.rollback()
        self.transaction = nil
        return .ok
    }
}
