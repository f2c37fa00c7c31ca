import ArgumentParser
import IntegrityKit
import MantisCore
import MantisDB
import WALKit

struct BenchWALCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wal",
        abstract: "Append throughput and latency of the segmented WAL on this machine's disk."
    )

    @Option(help: "Parent directory; the benchmark works in a fresh subdirectory it removes afterwards.")
    var dir: String = "."

    @Option(help: "Concurrent appending tasks.")
    var writers: Int = 1

    @Option(help: "Total appends (one record each) across all writers.")
    var count: Int = 20_000

    @Option(name: .customLong("value-size"), help: "Payload bytes per record.")
    var valueSize: Int = 100

    @Option(help: "sync | async | os")
    var durability: String = "sync"

    @Option(name: .customLong("flush-interval-ms"), help: "Flush interval for async durability.")
    var flushIntervalMilliseconds: Int = 10

    @Option(name: .customLong("segment-size"), help: "Segment size in bytes.")
    var segmentSize: Int64 = 64 << 20

    @Option(name: .customLong("sync-alignment"), help: "Bytes to align the first write after each sync to.")
    var syncAlignment: Int = 4096

    @Option(help: "crc32 | crc32c")
    var checksum: String = "crc32"

    @Flag(help: "Print one JSON object.")
    var json = false

    @Flag(help: "Keep the log directory.")
    var keep = false

    func run() async throws {
        guard writers > 0, count >= writers, valueSize >= 0 else {
            throw ValidationError("--writers must be > 0, --count ≥ --writers, --value-size ≥ 0")
        }
        var options = SegmentedWALOptions()
        switch durability {
        case "sync": options.durability = .sync
        case "os": options.durability = .os
        case "async": options.durability = .async(flushInterval: .milliseconds(flushIntervalMilliseconds))
        default: throw ValidationError("--durability must be sync, async or os (got \(durability))")
        }
        options.segmentSize = segmentSize
        options.syncAlignment = syncAlignment
        let fileSystem = PosixFileSystem()
        let directory = Path.join(dir, "bench-wal-\(WallClock.nanosecondsSinceEpoch())")
        let wal = try SegmentedWAL.open(directory: directory, fileSystem: fileSystem, checksum: try ChecksumAlgorithms.named(checksum), options: options)
        let payload = [UInt8](repeating: 0x5A, count: valueSize)
        let perWriter = count / writers
        let start = ContinuousClock.now
        let latency = try await withThrowingTaskGroup(of: LatencyRecorder.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var recorder = LatencyRecorder()
                    let record = WALRecord(kind: .put, transactionID: TransactionID(UInt64(writer + 1)), payload: payload)
                    for _ in 0..<perWriter {
                        let begin = ContinuousClock.now
                        try await wal.append([record])
                        recorder.record(ContinuousClock.now - begin)
                    }
                    return recorder
                }
            }
            var total = LatencyRecorder()
            for try await recorder in group { total.merge(recorder) }
            return total
        }
        let appendElapsed = ContinuousClock.now - start
        try await wal.sync()
        let totalElapsed = ContinuousClock.now - start
        let status = wal.status
        try await wal.close()
        if !keep { try removeTree(directory, fileSystem: fileSystem) }

        let appends = perWriter * writers
        var report = BenchReport(name: "bench wal")
        report.add("durability", .text(durability))
        report.add("writers", .integer(Int64(writers)))
        report.add("appends", .integer(Int64(appends)))
        report.add("value_size", .integer(Int64(valueSize)))
        report.add("ops_per_sec", .number(Double(appends) / appendElapsed.seconds))
        report.add("ops_per_sec_including_final_sync", .number(Double(appends) / totalElapsed.seconds))
        report.add("mb_per_sec", .number(Double(status.appendedBytes) / 1_000_000 / appendElapsed.seconds))
        report.add("p50_us", .integer(Int64(latency.percentile(50))))
        report.add("p99_us", .integer(Int64(latency.percentile(99))))
        report.add("p999_us", .integer(Int64(latency.percentile(99.9))))
        report.add("max_us", .integer(Int64(latency.percentile(100))))
        report.add("fsyncs", .integer(Int64(status.syncCount)))
        report.add("records_per_group_commit", .number(status.groupCommits == 0 ? 0 : Double(status.groupCommittedRecords) / Double(status.groupCommits)))
        report.add("mean_fdatasync_us", .number(status.syncCount == 0 ? 0 : Double(status.syncNanosecondsTotal) / Double(status.syncCount) / 1000))
        report.add("segments", .integer(Int64(status.segmentCount)))
        print(json ? report.json : report.text)
    }
}

/// Removes a directory and the files in it (the benchmark's own, flat directory).
func removeTree(_ path: String, fileSystem: any FileSystem) throws {
    for name in try fileSystem.contentsOfDirectory(path) {
        let child = Path.join(path, name)
        if fileSystem.isDirectory(child) { try removeTree(child, fileSystem: fileSystem) } else { try fileSystem.removeItem(child) }
    }
    try fileSystem.removeItem(path)
}
