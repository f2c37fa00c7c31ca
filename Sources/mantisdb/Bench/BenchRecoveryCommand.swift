import ArgumentParser
import IntegrityKit
import MantisCore
import MantisDB
import RecoveryKit
import TxnKit
import WALKit

struct BenchRecoveryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recovery",
        abstract: "Crash recovery time: replay a large log of committed single-key transactions."
    )

    @Option(help: "Parent directory; the benchmark works in a fresh subdirectory it removes afterwards.")
    var dir: String = "."

    @Option(help: "Committed transactions (one record each) in the log.")
    var records: Int = 10_000_000

    @Option(name: .customLong("value-size"), help: "Value bytes (key 16 bytes; record payload = value + 30).")
    var valueSize: Int = 70

    @Option(help: "Distinct keys written (the store holds this many after replay).")
    var keys: Int = 1_000_000

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() async throws {
        let fileSystem = PosixFileSystem()
        let directory = DataDirectory(Path.join(dir, "bench-recovery-\(WallClock.nanosecondsSinceEpoch())"))
        defer { try? removeTree(directory.path, fileSystem: fileSystem) }
        var walOptions = SegmentedWALOptions()
        walOptions.durability = .async(flushInterval: .milliseconds(50))
        let wal = try SegmentedWAL.open(directory: directory.wal, fileSystem: fileSystem, checksum: CRC32Checksum(), options: walOptions)
        let value = [UInt8](repeating: 0x76, count: valueSize)
        var batch: [WALRecord] = []
        batch.reserveCapacity(1000)
        for index in 0..<records {
            var key: [UInt8] = Array("key:".utf8)
            key.appendLittleEndian(UInt64(index % keys).bigEndian)
            key.append(contentsOf: [0, 0, 0, 0])
            batch.append(WALRecord(kind: .commit, transactionID: TransactionID(UInt64(index + 1)), payload: TransactionRecord.encode([(key, value)])))
            if batch.count == 1000 {
                try await wal.append(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { try await wal.append(batch) }
        let written = wal.status
        try await wal.close()  // no clean-shutdown marker: recovery runs as after a crash

        let start = ContinuousClock.now
        var options = RecoveryOptions(
            dataDirectory: directory, fileSystem: fileSystem, checksum: CRC32Checksum(),
            checksums: ChecksumAlgorithms.all, codecs: DatabaseOptions.allCodecs)
        options.valueChecksum = DatabaseOptions(directory: directory.path).valueChecksum
        let state = try RecoveryEngine(options: options).recover()
        let elapsed = ContinuousClock.now - start
        try await state.wal?.close()
        guard state.report.replay.committedTransactions == records else {
            throw ValidationError("replayed \(state.report.replay.committedTransactions) of \(records) transactions")
        }
        let walBytes = Double(written.appendedBytes)
        var report = BenchReport(name: "bench recovery")
        report.add("records", .integer(Int64(records)))
        report.add("wal_bytes", .integer(Int64(written.appendedBytes)))
        report.add("keys_after", .integer(Int64(state.store.statistics.liveKeys)))
        report.add("seconds", .number(elapsed.seconds))
        report.add("mb_per_sec", .number(walBytes / 1_000_000 / elapsed.seconds))
        report.add("records_per_sec", .number(Double(records) / elapsed.seconds))
        print(json ? report.json : report.text)
    }
}
