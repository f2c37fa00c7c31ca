import MantisCore
import MantisCoreTesting
import Testing
import TxnKit

@Suite("Writes and the log's largest record") struct RecordLimitTests {
    @Test("a write too big for one log record is refused at once, naming the key; the transaction goes on and commits")
    func tooBigIsRefusedNotFatal() async throws {
        let db = try TestDatabase(seed: 31)
        let limit = db.wal.maxRecordPayload
        #expect(limit < 1 << 20, "256 KiB segments hold smaller records than transactions.max_record_payload")
        let key = bytes("big")
        let fits = [UInt8](repeating: 7, count: limit - 14 - key.count)  // a lone put's record: 14 bytes + key + value

        let transaction = db.manager.begin(.snapshot)
        try await transaction.put(bytes("small"), bytes("first"))
        let error = await #expect(throws: MantisError.self) { try await transaction.put(key, fits + [7]) }
        #expect(error?.code == .recordTooLarge)
        #expect(error?.context.key == key)
        #expect(error?.message.contains("at most \(fits.count + key.count) bytes of key and value") == true, "\(String(describing: error))")
        // Still usable: the largest write that fits, beside another, commits (split into two records).
        try await transaction.put(key, fits)
        try await transaction.commit()
        #expect(try db.contents() == [bytes("small"): bytes("first"), key: fits])

        let reopened = try await db.crashAndReopen(.dropUnsynced)
        #expect(try reopened.contents() == [bytes("small"): bytes("first"), key: fits])
    }

    @Test("a delete is measured by its key alone")
    func deleteOfAHugeKeyIsRefused() async throws {
        let db = try TestDatabase(seed: 32)
        let key = [UInt8](repeating: 1, count: db.wal.maxRecordPayload)
        let transaction = db.manager.begin(.readCommitted)
        let error = await #expect(throws: MantisError.self) { try await transaction.delete(key) }
        #expect(error?.code == .recordTooLarge)
        transaction.rollback()
    }
}
