import CoreMetrics
import Logging
import MantisCore
import Synchronization

/// The audit trail as a file: `<directory>/audit.log`, one hash-chained JSON line per entry
/// (`AuditEntry`), and `<directory>/audit.head` holding the newest entry's sequence and hash.
///
/// Append-only: an entry is written at the end of the file and synced (fsync) before `record`
/// returns, then the head is replaced atomically (temp file, fsync, rename, directory fsync);
/// the file is never rewritten. Critical operations are rare, so two syncs per entry cost nothing
/// that matters. A crash can leave an incomplete last line: the next open moves those bytes to
/// `audit.log.broken`, cuts them, and records an `audit_repair` entry saying so. All I/O runs on
/// one dedicated thread, in order. A failure to record is logged with the whole event, counted,
/// and reported to `onFailure` (the database raises the `audit_failed` alert); it never fails the
/// operation being audited. Verify with `AuditVerifier` (`mantisdb audit verify DIR`).
public final class FileAuditLog: AuditLog, Sendable {
    public static let fileName = "audit.log"
    public static let headName = "audit.head"
    public static let brokenSuffix = ".broken"

    public let directory: String
    public var path: String { Path.join(directory, Self.fileName) }
    public var headPath: String { Path.join(directory, Self.headName) }
    let fileSystem: any FileSystem
    let logger: Logger
    let onFailure: (@Sendable (AuditEvent, any Error) -> Void)?
    let io = SerialIO(label: "mantisdb.audit")
    let state = Mutex(State())
    let entriesCounter: Counter?
    let failuresCounter: Counter?

    struct State {
        var file: (any StorageFile)?
        var sequence: UInt64 = 0
        var hash = AuditEntry.genesisHash
        var recorded = 0
        var failed = 0
    }

    /// The audit directory of a data directory: `<data dir>/audit`.
    public static func directory(inDataDirectory dataDirectory: String) -> String {
        Path.join(dataDirectory, "audit")
    }

    public init(directory: String, fileSystem: any FileSystem = PosixFileSystem(), metricsFactory: (any MetricsFactory)? = nil,
                logger: Logger = Logger(label: "mantisdb.audit", factory: { _ in SwiftLogNoOpLogHandler() }),
                onFailure: (@Sendable (AuditEvent, any Error) -> Void)? = nil) {
        self.directory = directory
        self.fileSystem = fileSystem
        self.logger = logger
        self.onFailure = onFailure
        entriesCounter = metricsFactory.map { Counter(label: MantisMetrics.auditEntries.name, dimensions: [], factory: $0) }
        failuresCounter = metricsFactory.map { Counter(label: MantisMetrics.auditFailures.name, dimensions: [], factory: $0) }
    }

    /// Entries recorded and events that could not be, by this instance.
    public var counts: (recorded: Int, failed: Int) { state.withLock { ($0.recorded, $0.failed) } }

    /// The newest entry's sequence number and hash (after the first record or `open`).
    public var head: AuditHead { state.withLock { AuditHead(sequence: $0.sequence, hash: $0.hash) } }

    public func record(_ event: AuditEvent) async {
        do {
            try await io.run { [self] in try append(event) }
        } catch {
            failed(event, error)
        }
    }

    /// `record` for synchronous callers (offline tools); blocks the calling thread.
    public func recordBlocking(_ event: AuditEvent) {
        do {
            try io.runBlocking { try append(event) }
        } catch {
            failed(event, error)
        }
    }

    /// Opens the file now (repairing a torn last line) instead of at the first record.
    public func open() async throws {
        try await io.run { [self] in _ = try openIfNeeded() }
    }

    public func close() async {
        _ = try? await io.run { [self] in
            state.withLock { state in
                try? state.file?.close()
                state.file = nil
            }
        }
    }

    // MARK: On the I/O thread

    private func failed(_ event: AuditEvent, _ error: any Error) {
        state.withLock { state in
            state.failed += 1
            try? state.file?.close()
            state.file = nil
        }
        failuresCounter?.increment()
        let (_, line) = AuditEntry.make(sequence: 0, event: event, previousHash: AuditEntry.genesisHash)
        logger.error("cannot record the audit event", metadata: ["path": "\(path)", "error": "\(error)", "event": "\(line.trimmingTrailingNewlines())"])
        onFailure?(event, error)
    }

    private func append(_ event: AuditEvent) throws {
        let file = try openIfNeeded()
        let (sequence, previous) = state.withLock { ($0.sequence + 1, $0.hash) }
        let (entry, line) = AuditEntry.make(sequence: sequence, event: event, previousHash: previous)
        try file.append(Array(line.utf8))
        try file.sync()
        state.withLock { state in
            state.sequence = entry.sequence
            state.hash = entry.hash
            state.recorded += 1
        }
        entriesCounter?.increment()
        try fileSystem.writeFileAtomically(headPath, contents: AuditHead(sequence: entry.sequence, hash: entry.hash).encoded)
        logger.info("audit: \(event.action) \(event.outcome.rawValue)", metadata: [
            "seq": "\(entry.sequence)", "hash": "\(entry.hash)", "actor": "\(event.actor)",
        ])
    }

    /// Opens (creating) the file, finds the newest entry, and cuts an incomplete last line.
    private func openIfNeeded() throws -> any StorageFile {
        if let open = state.withLock({ $0.file }) { return open }
        try fileSystem.createDirectory(directory)
        let existed = fileSystem.fileExists(path)
        let file = try fileSystem.openFile(path, options: [.write, .create])
        if !existed { try fileSystem.syncDirectory(directory) }
        var repair: AuditEvent?
        do {
            let bytes = try file.readAll()
            var complete = bytes.count
            if let lastNewline = bytes.lastIndex(of: 0x0A) {
                complete = lastNewline + 1
            } else {
                complete = 0
            }
            if complete < bytes.count {
                let torn = Array(bytes[complete...])
                try keepBroken(torn)
                try file.truncate(to: Int64(complete))
                try file.sync()
                repair = AuditEvent(action: "audit_repair", outcome: .success, actor: "system", details: [
                    "reason": "incomplete last entry (a crash while it was written)", "bytes_cut": String(torn.count),
                    "kept_in": Self.fileName + Self.brokenSuffix, "sha256_of_cut_bytes": SHA256.hexString(SHA256.hash(torn)),
                    "at_offset": String(complete),
                ])
                logger.warning("audit: cut an incomplete last entry", metadata: ["path": "\(path)", "bytes": "\(torn.count)"])
            }
            let lines = bytes[..<complete].split(separator: 0x0A, omittingEmptySubsequences: true)
            if let last = lines.last {
                let parsed = ParsedAuditLine(Substring(String(decoding: last, as: UTF8.self)))
                let sequence = parsed.sequence ?? UInt64(lines.count)
                let hash = parsed.storedHash ?? SHA256.hexString(SHA256.hash(Array(last)))
                if parsed.malformed != nil {
                    logger.error("audit: the last entry is malformed; chaining after it anyway (verification will report it)",
                                 metadata: ["path": "\(path)", "problem": "\(parsed.malformed ?? "")"])
                }
                state.withLock { state in
                    state.sequence = sequence
                    state.hash = hash
                }
            } else {
                state.withLock { state in
                    state.sequence = 0
                    state.hash = AuditEntry.genesisHash
                }
            }
        } catch {
            try? file.close()
            throw error
        }
        state.withLock { $0.file = file }
        if let repair { try append(repair) }
        return file
    }

    private func keepBroken(_ bytes: [UInt8]) throws {
        let brokenPath = path + Self.brokenSuffix
        let broken = try fileSystem.openFile(brokenPath, options: [.write, .create])
        defer { try? broken.close() }
        try broken.append(bytes)
        try broken.sync()
        try fileSystem.syncDirectory(directory)
    }
}
