import ArgumentParser
import MantisCore
import MantisDB
import TxnKit
import WALKit

struct BenchTxnCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "txn",
        abstract: "Transactions through the Database facade: autocommit puts (group-committed) or point reads."
    )

    @Option(help: "Parent directory; the benchmark works in a fresh subdirectory it removes afterwards.")
    var dir: String = "."

    @Option(help: "put: single-key autocommit puts; get: point reads at snapshot isolation in one task.")
    var workload: String = "put"

    @Option(help: "Concurrent tasks (put workload).")
    var writers: Int = 32

    @Option(help: "Operations in total.")
    var count: Int = 64_000

    @Option(help: "Keys preloaded for the get workload.")
    var keys: Int = 1_000_000

    @Option(help: "get: keys per read call; above 1, batched reads (Transaction.get([keys]), as MGET does).")
    var batch: Int = 1

    @Option(name: .customLong("value-size"), help: "Value bytes.")
    var valueSize: Int = 100

    @Option(help: "sync | async | os")
    var durability: String = "sync"

    @Option(help: "read-committed | snapshot | serializable (put workload)")
    var isolation: String = "read-committed"

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() async throws {
        guard let level = IsolationLevel(parsing: isolation) else { throw ValidationError("unknown isolation \(isolation)") }
        var options = DatabaseOptions(directory: Path.join(dir, "bench-txn-\(WallClock.nanosecondsSinceEpoch())"))
        switch durability {
        case "sync": options.wal.durability = .sync
        case "os": options.wal.durability = .os
        case "async": options.wal.durability = .async(flushInterval: .milliseconds(10))
        default: throw ValidationError("--durability must be sync, async or os")
        }
        let database = try await Database.open(options)
        defer { try? removeTree(options.directory, fileSystem: options.fileSystem) }
        var report = BenchReport(name: "bench txn")
        report.add("workload", .text(workload))
        report.add("durability", .text(durability))
        switch workload {
        case "put": try await puts(database, isolation: level, into: &report)
        case "get": try await gets(database, into: &report)
        default: throw ValidationError("--workload must be put or get")
        }
        try await database.close()
        print(json ? report.json : report.text)
    }

    private func puts(_ database: Database, isolation: IsolationLevel, into report: inout BenchReport) async throws {
        let perWriter = count / writers
        let value = [UInt8](repeating: 0x61, count: valueSize)
        // Keys are made before the clock starts (as `bench wal` builds its record first), so
        // the figure is the database's work, not the formatting of keys.
        let keys = (0..<writers).map { writer in
            var random = SplitMix64(seed: UInt64(writer + 1))
            return (0..<perWriter).map { _ in Array("key:\(random.next() % 1_000_000)".utf8) }
        }
        let start = ContinuousClock.now
        let latency = try await withThrowingTaskGroup(of: LatencyRecorder.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var recorder = LatencyRecorder()
                    for key in keys[writer] {
                        let begin = ContinuousClock.now
                        try await database.transaction(isolation: isolation) { try await $0.put(key, value) }
                        recorder.record(.now - begin)
                    }
                    return recorder
                }
            }
            var total = LatencyRecorder()
            for try await recorder in group { total.merge(recorder) }
            return total
        }
        let elapsed = ContinuousClock.now - start
        let status = database.wal.status
        report.add("writers", .integer(Int64(writers)))
        report.add("isolation", .text(isolation.rawValue))
        report.add("commits", .integer(Int64(perWriter * writers)))
        report.add("ops_per_sec", .number(Double(perWriter * writers) / elapsed.seconds))
        report.add("p50_us", .integer(Int64(latency.percentile(50))))
        report.add("p99_us", .integer(Int64(latency.percentile(99))))
        report.add("p999_us", .integer(Int64(latency.percentile(99.9))))
        report.add("fsyncs", .integer(Int64(status.syncCount)))
        let statistics = database.manager.statistics
        report.add("aborts", .integer(Int64(statistics.aborted.values.reduce(0, +))))
    }

    private func gets(_ database: Database, into report: inout BenchReport) async throws {
        let value = [UInt8](repeating: 0x62, count: valueSize)
        func key(_ index: Int) -> [UInt8] {
            var bytes = Array("k:".utf8)
            bytes.appendLittleEndian(UInt64(index).bigEndian)
            bytes.append(contentsOf: [0, 0, 0, 0, 0, 0])
            return bytes  // 16 bytes
        }
        var index = 0
        while index < keys {
            let end = min(keys, index + 10_000)
            try await database.transaction(isolation: .readCommitted) { txn in
                for i in index..<end { try await txn.put(key(i), value) }
            }
            index = end
        }
        // Uniformly random keys over the whole key space (not a cache-resident subset).
        var random = SplitMix64(seed: 11)
        let probes = (0..<min(count, 1 << 20)).map { _ in key(Int(random.next() % UInt64(keys))) }
        let transaction = try database.begin(.snapshot)
        var found = 0
        let start: ContinuousClock.Instant
        if batch > 1 {
            // The batches are made before the clock starts, as the single-key probes are.
            let batches = stride(from: 0, to: probes.count, by: batch).map { Array(probes[$0..<min(probes.count, $0 + batch)]) }
            start = .now
            var done = 0, next = 0
            while done < count {
                let keys = batches[next]
                next = next + 1 == batches.count ? 0 : next + 1
                let take = min(keys.count, count - done)
                for value in try transaction.get(take == keys.count ? keys : Array(keys.prefix(take))) where value != nil { found += 1 }
                done += take
            }
        } else {
            start = .now
            for i in 0..<count {
                if try transaction.get(probes[i % probes.count]) != nil { found += 1 }
            }
        }
        let elapsed = ContinuousClock.now - start
        try await transaction.commit()
        guard found == count else { throw ValidationError("only \(found) of \(count) reads found their key") }
        report.add("keys", .integer(Int64(keys)))
        report.add("reads", .integer(Int64(count)))
        report.add("keys_per_call", .integer(Int64(max(1, batch))))
        report.add("reads_per_sec", .number(Double(count) / elapsed.seconds))
        report.add("verify_reads", .text(database.options.verifyReads ? "on" : "off"))
        report.add("heap_huge_pages", .text(HugePages.isEnabled ? "on" : "off"))
    }
}
