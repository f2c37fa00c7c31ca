import Foundation
import MantisCore

/// The text of `INFO`: Redis' `# Section` / `field:value` layout, so existing parsers (redis-py's
/// `parse_info`, monitoring agents) read it.
extension RESPServerContext {
    static let allSections = ["server", "clients", "persistence", "stats", "replication", "keyspace"]

    /// `sections` empty, `default`, `all` or `everything`: every section. `liveKeys`: the count
    /// `keyspace` reports (nil: the committed one).
    func info(sections requested: [String], liveKeys: Int? = nil) -> String {
        let wanted: [String]
        if requested.isEmpty || requested.contains(where: { ["all", "default", "everything"].contains($0) }) {
            wanted = Self.allSections
        } else {
            wanted = Self.allSections.filter(requested.contains)
        }
        var text = ""
        for section in wanted {
            if !text.isEmpty { text += "\r\n" }
            text += "# \(section.prefix(1).uppercased() + section.dropFirst())\r\n"
            for (name, value) in fields(of: section, liveKeys: liveKeys) { text += "\(name):\(value)\r\n" }
        }
        return text
    }

    private func fields(of section: String, liveKeys: Int?) -> [(String, String)] {
        let database = self.database
        switch section {
        case "server":
            let uptime = (ContinuousClock.now - startedAt).components.seconds
            return [
                ("mantisdb_version", RESPServer.version),
                ("redis_version", "7.0.0"),
                ("redis_mode", "standalone"),
                ("os", ProcessInfo.processInfo.operatingSystemVersionString),
                ("arch_bits", "\(MemoryLayout<Int>.size * 8)"),
                ("process_id", "\(ProcessInfo.processInfo.processIdentifier)"),
                ("tcp_port", "\(port.load(ordering: .relaxed))"),
                ("uptime_in_seconds", "\(uptime)"),
                ("uptime_in_days", "\(uptime / 86_400)"),
                ("wal_durability", "\(database.options.wal.durability)"),
                ("heap_huge_pages", HugePages.isEnabled ? "1" : "0"),
            ]
        case "clients":
            return [
                ("connected_clients", "\(registry.count)"),
                ("maxclients", "\(options.maxConnections)"),
                ("blocked_clients", "0"),
                ("active_transactions", "\(database.manager.statistics.active)"),
            ]
        case "persistence":
            let wal = database.wal.status
            let checkpoints = database.checkpointer?.status
            var fields: [(String, String)] = [
                ("loading", "0"),
                ("safe_mode", database.isReadOnly ? "1" : "0"),
                ("safe_mode_reason", { if case .safe(let reason) = database.mode { return Self.oneLine(reason) }; return "" }()),
                ("wal_durability", "\(database.options.wal.durability)"),
                ("wal_last_lsn", "\(wal.lastLSN.rawValue)"),
                ("wal_written_lsn", "\(wal.writtenLSN.rawValue)"),
                ("wal_durable_lsn", "\(wal.durableLSN.rawValue)"),
                ("wal_first_lsn", "\(wal.firstLSN.rawValue)"),
                ("wal_segments", "\(wal.segmentCount)"),
                ("wal_bytes", "\(wal.totalBytes)"),
                ("wal_pending_bytes", "\(wal.pendingBytes)"),
                ("wal_fsyncs", "\(wal.syncCount)"),
                ("wal_fsync_last_usec", "\(wal.lastSyncNanoseconds / 1000)"),
                ("wal_fsync_total_usec", "\(wal.syncNanosecondsTotal / 1000)"),
                ("wal_group_commits", "\(wal.groupCommits)"),
                ("wal_group_committed_records", "\(wal.groupCommittedRecords)"),
                ("wal_rounds_led_by_callers", "\(wal.roundsLedByCallers)"),
                ("wal_short_round_streak", "\(wal.shortRoundStreak)"),
                ("wal_last_sync_time", "\(wal.lastSyncAtNanoseconds / 1_000_000_000)"),
                ("wal_failure", Self.oneLine(wal.failure ?? "")),
                ("wal_sync_command", "WALSYNC"),
            ]
            fields += [
                ("checkpoints_taken", "\(checkpoints?.taken ?? 0)"),
                ("checkpoints_failed", "\(checkpoints?.failed ?? 0)"),
                ("checkpoint_in_progress", checkpoints?.inProgress == true ? "1" : "0"),
                ("last_checkpoint_lsn", "\(checkpoints?.last?.lsn.rawValue ?? 0)"),
                ("last_checkpoint_time", "\((checkpoints?.lastCompletedAtNanoseconds ?? 0) / 1_000_000_000)"),
                ("last_checkpoint_status", checkpoints?.lastFailure == nil ? "ok" : "err"),
                ("last_checkpoint_error", Self.oneLine(checkpoints?.lastFailure ?? "")),
                ("checkpoint_command", "CHECKPOINT"),
            ]
            return fields
        case "stats":
            let transactions = database.manager.statistics
            let aborts = transactions.aborted.values.reduce(0, +)
            return [
                ("total_connections_received", "\(statistics.load(statistics.connectionsReceived))"),
                ("rejected_connections", "\(statistics.load(statistics.connectionsRejected))"),
                ("total_commands_processed", "\(statistics.load(statistics.commandsProcessed))"),
                ("total_net_input_bytes", "\(statistics.load(statistics.bytesReceived))"),
                ("total_net_output_bytes", "\(statistics.load(statistics.bytesSent))"),
                ("protocol_errors", "\(statistics.load(statistics.protocolErrors))"),
                ("txn_begun", "\(transactions.begun)"),
                ("txn_commits", "\(transactions.committed)"),
                ("txn_read_only_commits", "\(transactions.readOnlyCommitted)"),
                ("txn_aborts", "\(aborts)"),
                ("txn_aborts_deadlock", "\(transactions.aborted["deadlock", default: 0])"),
                ("txn_aborts_serialization", "\(transactions.aborted["serialization_failure", default: 0])"),
                ("txn_aborts_rollback", "\(transactions.aborted["rollback", default: 0])"),
                ("txn_active", "\(transactions.active)"),
            ]
        case "replication":
            return [("role", "master"), ("connected_slaves", "0")]
        case "keyspace":
            let keys = liveKeys ?? database.store.statistics.liveKeys
            return keys > 0 ? [("db0", "keys=\(keys),expires=0,avg_ttl=0")] : []
        default:
            return []
        }
    }

    private static func oneLine(_ text: String) -> String {
        String(text.map { $0 == "\r" || $0 == "\n" ? " " : $0 })
    }
}
