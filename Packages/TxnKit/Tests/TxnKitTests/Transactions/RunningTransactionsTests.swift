import MantisCore
import Testing
import TxnKit

@Suite("Running transactions") struct RunningTransactionsTests {
    @Test("oldestRunning: the longest-running unfinished transaction and its age, until it ends")
    func oldestRunning() async throws {
        let db = try TestDatabase()
        #expect(db.manager.oldestRunning == nil)
        let first = db.manager.begin(.snapshot)
        try await Task.sleep(for: .milliseconds(20))
        let second = db.manager.begin(.readCommitted)
        let oldest = try #require(db.manager.oldestRunning)
        #expect(oldest.id == first.id && oldest.age >= .milliseconds(20))
        try await first.put(bytes("k"), bytes("v"))
        try await first.commit()
        #expect(db.manager.oldestRunning?.id == second.id)
        second.rollback()
        #expect(db.manager.oldestRunning == nil)
        // A read-only commit ends it too.
        let reader = db.manager.begin(.snapshot)
        _ = try reader.get(bytes("k"))
        try await reader.commit()
        #expect(db.manager.oldestRunning == nil)
    }
}
