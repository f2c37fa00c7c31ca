import MantisCore

/// The log of a database in safe mode: reads nothing, refuses every append with `readOnly`.
final class ReadOnlyWAL: WriteAheadLog {
    let reason: String
    let lastLSN: LSN

    init(reason: String, lastLSN: LSN) {
        self.reason = reason
        self.lastLSN = lastLSN
    }

    var error: MantisError {
        MantisError(.readOnly, "the database is in safe mode (read-only): \(reason)")
    }

    func enqueue(_ records: [WALRecord]) throws -> LSN { throw error }
    func waitForDurability(of lsn: LSN) async throws { throw error }
    func sync() async throws {}
    func entries(from lsn: LSN) throws -> any WALCursor { throw error }
    func removeSegments(below lsn: LSN) throws -> Int { 0 }
    func close() async throws {}

    var status: WALStatus {
        var status = WALStatus()
        status.lastLSN = lastLSN
        status.writtenLSN = lastLSN
        status.durableLSN = lastLSN
        status.failure = "safe mode: \(reason)"
        return status
    }
}
