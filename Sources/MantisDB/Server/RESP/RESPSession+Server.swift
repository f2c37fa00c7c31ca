/// Server commands: `CHECKPOINT`/`SAVE`, `WALSYNC`, `SHUTDOWN` (`INFO` and `CONFIG`: `RESPServerContext`).
extension RESPSession {
    /// Takes a checkpoint now (`Database.checkpoint()`); replies when it is written. Audited.
    func checkpoint(_ request: RESPRequest) -> RESPStep {
        let database = self.database, actor = auditActor, command = request.name
        return work {
            do {
                let info = try await database.checkpoint()
                await database.recordAudit("admin_command", actor: actor, details: ["command": command, "lsn": "\(info.lsn)", "file": info.path])
                return .ok
            } catch {
                await database.recordAudit("admin_command", outcome: .failure, actor: actor, details: ["command": command, "error": "\(error)"])
                throw error
            }
        }
    }

    /// Makes every acknowledged write durable now (`Database.sync()`; with `sync` durability
    /// they already are). Audited.
    func walSync() -> RESPStep {
        let database = self.database, actor = auditActor
        return work {
            do {
                try await database.sync()
                await database.recordAudit("admin_command", actor: actor, details: ["command": "WALSYNC"])
                return .ok
            } catch {
                await database.recordAudit("admin_command", outcome: .failure, actor: actor, details: ["command": "WALSYNC", "error": "\(error)"])
                throw error
            }
        }
    }

    /// Who an audit entry names for this connection's commands: `resp:<address>` (and the client name).
    var auditActor: String {
        let name = record.details.withLock { $0.name }
        return "resp:\(record.address)" + (name.map { " (\($0))" } ?? "")
    }

    /// `SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE]`: replies `+OK`, closes this connection and asks
    /// the owner to shut down gracefully (the owner stops the server and closes the database,
    /// which makes everything durable). Without an owner handler, refused.
    func shutdown(_ request: RESPRequest) -> RESPStep {
        for index in 1..<request.count {
            switch request.word(index) {
            case "NOSAVE", "SAVE", "NOW", "FORCE": continue
            case "ABORT": return .reply(.error("ERR SHUTDOWN ABORT is not supported"))
            default: return .reply(.syntaxError)
            }
        }
        guard server.onShutdown != nil else {
            return .reply(.error("ERR SHUTDOWN is not enabled on this server"))
        }
        return .shutdown(.ok)  // audited by the connection before it asks the owner to shut down
    }
}
