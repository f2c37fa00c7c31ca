import Logging
import MantisCore
import Synchronization

/// Appends each alert as one JSON line (`Alert.jsonLine`) to a file, through the `FileSystem`.
///
/// Durability: with `fsync` (the default) each line is synced before `send` returns, so an alert
/// that was sent survives a crash. The file is bounded: when the next line would take it past
/// `maxBytes`, it is renamed to `<path>.1` (replacing the previous one) and a new file started, so
/// at most about twice `maxBytes` is used. A write failure is logged with the alert itself (the
/// alert is not lost from the process log) and the file is reopened for the next alert.
public final class FileAlertSink: AlertSink, Sendable {
    public struct Options: Sendable, Hashable {
        public var path: String
        public var maxBytes: Int64 = 64 << 20
        public var fsync = true

        public init(path: String, maxBytes: Int64 = 64 << 20, fsync: Bool = true) {
            self.path = path
            self.maxBytes = maxBytes
            self.fsync = fsync
        }
    }

    public let options: Options
    let fileSystem: any FileSystem
    let logger: Logger
    let io = SerialIO(label: "mantisdb.alerts.file")
    let file = Mutex<(any StorageFile)?>(nil)
    let failures = Atomic<Int>(0)

    public init(options: Options, fileSystem: any FileSystem = PosixFileSystem(),
                logger: Logger = Logger(label: "mantisdb.alerts", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.options = options
        self.fileSystem = fileSystem
        self.logger = logger
    }

    public var name: String { "file" }

    /// Alerts that could not be written.
    public var failedWrites: Int { failures.load(ordering: .relaxed) }

    public func send(_ alert: Alert) async {
        let line = Array((alert.jsonLine() + "\n").utf8)
        do {
            try await io.run { [self] in try append(line) }
        } catch {
            failures.add(1, ordering: .relaxed)
            file.withLock { file in
                try? file?.close()
                file = nil
            }
            logger.error("cannot write the alert to the alert file", metadata: [
                "path": "\(options.path)", "error": "\(error)", "alert": "\(alert.jsonLine())",
            ])
        }
    }

    /// Closes the file (a later `send` reopens it).
    public func close() async {
        _ = try? await io.run { [self] in
            file.withLock { file in
                try? file?.close()
                file = nil
            }
        }
    }

    private func append(_ line: [UInt8]) throws {
        var handle = try openIfNeeded()
        if try handle.size() + Int64(line.count) > options.maxBytes, try handle.size() > 0 {
            try rotate()
            handle = try openIfNeeded()
        }
        try handle.append(line)
        if options.fsync { try handle.sync() }
    }

    private func openIfNeeded() throws -> any StorageFile {
        if let open = file.withLock({ $0 }) { return open }
        let directory = Path.directory(of: options.path)
        try fileSystem.createDirectory(directory)
        let created = !fileSystem.fileExists(options.path)
        let opened = try fileSystem.openFile(options.path, options: [.write, .create])
        if created, options.fsync { try fileSystem.syncDirectory(directory) }
        file.withLock { $0 = opened }
        return opened
    }

    private func rotate() throws {
        file.withLock { file in
            try? file?.close()
            file = nil
        }
        let old = options.path + ".1"
        try fileSystem.removeIfExists(old)
        try fileSystem.rename(options.path, to: old)
        try fileSystem.syncDirectory(Path.directory(of: options.path))
        logger.notice("alert file rotated", metadata: ["path": "\(options.path)", "previous": "\(old)"])
    }
}
