import ArgumentParser
import IntegrityKit
import LZ4Codec
import MantisCore
import MantisDB
import RecoveryKit
import TxnKit
import ZlibCodec

struct BenchCheckpointCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Checkpoint throughput per codec over snapshot bytes, and writers' latency while one is written."
    )

    @Option(help: "Parent directory; the benchmark works in a fresh subdirectory it removes afterwards.")
    var dir: String = "."

    @Option(help: "Keys in the store.")
    var keys: Int = 1_000_000

    @Option(name: .customLong("value-size"), help: "Value bytes (keys are 16 bytes).")
    var valueSize: Int = 100

    @Option(help: "Codecs to measure, comma-separated: none,lz4,zlib")
    var codecs: String = "none,lz4,zlib"

    @Option(help: "Concurrent single-key sync writers running during the last checkpoint (0: none).")
    var writers: Int = 8

    @Flag(help: "Print one JSON object per result.")
    var json = false

    func run() async throws {
        var options = DatabaseOptions(directory: Path.join(dir, "bench-checkpoint-\(WallClock.nanosecondsSinceEpoch())"))
        options.checkpoints.interval = nil
        options.checkpoints.walBytes = nil
        options.wal.durability = .async(flushInterval: .milliseconds(10))
        let database = try await Database.open(options)
        defer { try? removeTree(options.directory, fileSystem: options.fileSystem) }
        // Realistic, compressible values: a repeated structure with some varying bytes.
        var random = SplitMix64(seed: 7)
        var index = 0
        while index < keys {
            let end = min(keys, index + 10_000)
            try await database.transaction(isolation: .readCommitted) { txn in
                for i in index..<end {
                    var key = Array("user:".utf8)
                    key.appendLittleEndian(UInt64(i).bigEndian)
                    key.append(contentsOf: [0, 0, 0])
                    var value = Array("{\"name\":\"user-\(i)\",\"plan\":\"standard\",\"balance\":".utf8)
                    while value.count < valueSize { value.append(UInt8(48 + random.next() % 10)) }
                    try await txn.put(key, Array(value.prefix(valueSize)))
                }
            }
            index = end
        }
        let snapshotBytes = Double(database.store.statistics.keyBytes + database.store.statistics.valueBytes)
        for name in codecs.split(separator: ",").map(String.init) {
            let codec: any CheckpointCodec = switch name {
            case "lz4": try LZ4CheckpointCodec()
            case "zlib": try ZlibCheckpointCodec(level: 1)
            case "none": NoneCheckpointCodec()
            default: throw ValidationError("unknown codec \(name)")
            }
            let directory = CheckpointDirectory(path: Path.join(options.directory, "bench-\(name)"), fileSystem: options.fileSystem)
            let checkpointer = Checkpointer(manager: database.manager, wal: database.wal, directory: directory, codec: codec, checksum: CRC32Checksum())
            let start = ContinuousClock.now
            let info = try await checkpointer.checkpoint()
            let elapsed = ContinuousClock.now - start
            var report = BenchReport(name: "bench checkpoint")
            report.add("codec", .text(name))
            report.add("keys", .integer(Int64(info.entryCount)))
            report.add("snapshot_mb", .number(snapshotBytes / 1_000_000))
            report.add("file_mb", .number(Double(info.fileBytes) / 1_000_000))
            report.add("ratio", .number(snapshotBytes / Double(info.fileBytes)))
            report.add("seconds", .number(elapsed.seconds))
            report.add("mb_per_sec", .number(snapshotBytes / 1_000_000 / elapsed.seconds))
            print(json ? report.json : report.text)
        }
        if writers > 0 { try await writerLatency(database) }
        try await database.close()
    }

    /// p99 of single-key commits without, then during, a checkpoint.
    private func writerLatency(_ database: Database) async throws {
        func measure(while work: (@Sendable () async throws -> Void)?) async throws -> LatencyRecorder {
            let stop = Shared(false)
            async let background: Void = {
                if let work { try await work() } else { try await Task.sleep(for: .seconds(2)) }
                stop.value = true
            }()
            let latency = try await withThrowingTaskGroup(of: LatencyRecorder.self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        var recorder = LatencyRecorder()
                        var index = 0
                        while !stop.value {
                            index += 1
                            let key = Array("w\(writer):\(index % 1000)".utf8)
                            let begin = ContinuousClock.now
                            try await database.transaction(isolation: .readCommitted) { try await $0.put(key, [1, 2, 3]) }
                            recorder.record(.now - begin)
                        }
                        return recorder
                    }
                }
                var total = LatencyRecorder()
                for try await recorder in group { total.merge(recorder) }
                return total
            }
            try await background
            return latency
        }
        let quiet = try await measure(while: nil)
        let busy = try await measure(while: { _ = try await database.checkpoint() })
        var report = BenchReport(name: "bench checkpoint writers")
        report.add("writers", .integer(Int64(writers)))
        report.add("p50_us_without", .integer(Int64(quiet.percentile(50))))
        report.add("p99_us_without", .integer(Int64(quiet.percentile(99))))
        report.add("p50_us_during_checkpoint", .integer(Int64(busy.percentile(50))))
        report.add("p99_us_during_checkpoint", .integer(Int64(busy.percentile(99))))
        report.add("commits_during_checkpoint", .integer(Int64(busy.histogram.totalCount)))
        print(json ? report.json : report.text)
    }
}

/// A value shared between benchmark tasks.
final class Shared<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLockish()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.locked { stored } }
        set { lock.locked { stored = newValue } }
    }
}

import Synchronization
final class NSLockish: Sendable {
    private let mutex = Mutex(())
    func locked<T>(_ body: () throws -> T) rethrows -> T { try mutex.withLock { _ in try body() } }
}
