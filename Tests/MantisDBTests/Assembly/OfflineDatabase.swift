import MantisCore
import MantisDB

/// Test support for the offline tools (backup, restore, recover, checkpoint): quiet options
/// (1 MiB segments, no background checkpoints or scrubbing) and a stopped data directory.
enum OfflineDatabase {
    static func options(_ dir: String, codec: any CheckpointCodec = NoneCheckpointCodec()) -> DatabaseOptions {
        var options = DatabaseOptions(directory: dir)
        options.wal.segmentSize = 1 << 20
        options.wal.prepareSegmentsAhead = false
        options.checkpoints.interval = nil
        options.checkpoints.walBytes = nil
        options.scrub = nil
        options.checkpointCodec = codec
        return options
    }

    /// A cleanly closed data directory (`base/data`) holding `k0`…`k<keys-1>` and a checkpoint at
    /// its last LSN, under a fresh temporary directory `base`.
    static func make(keys: Int) async throws -> (base: String, data: String) {
        let base = try makeTemporaryDirectory()
        let data = base + "/data"
        let db = try await Database.open(options(data))
        for index in 0..<keys { try await db.put(Array("k\(index)".utf8), Array("v\(index)".utf8)) }
        try await db.checkpoint()
        try await db.close()
        return (base, data)
    }
}
