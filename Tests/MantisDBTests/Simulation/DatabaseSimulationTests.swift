import Foundation
import Testing

@Suite("Deterministic simulation of the whole database") struct DatabaseSimulationTests {
    /// `SIM_SEEDS=1-2000` (a range) or `SIM_SEEDS=7,42` replays or extends the run; `make torture SEEDS=N`.
    static let seeds: [UInt64] = {
        let text = ProcessInfo.processInfo.environment["SIM_SEEDS"] ?? "1-300"
        if let dash = text.firstIndex(of: "-"), let low = UInt64(text[..<dash]), let high = UInt64(text[text.index(after: dash)...]) {
            return Array(low...high)
        }
        return text.split(separator: ",").compactMap { UInt64($0) }
    }()

    @Test("crashes, I/O errors, bit rot and crashes during recovery: nothing acknowledged lost, nothing invented, the bank total kept, or safe mode with a reason")
    func simulate() async throws {
        var totals = DatabaseSimulation.Outcome()
        for seed in Self.seeds {
            var simulation = DatabaseSimulation(seed: seed, lives: 12)
            let outcome = await simulation.run()
            totals.lives += outcome.lives
            totals.crashes += outcome.crashes
            totals.crashesDuringRecovery += outcome.crashesDuringRecovery
            totals.commits += outcome.commits
            totals.aborts += outcome.aborts
            totals.injectedErrors += outcome.injectedErrors
            totals.bitFlips += outcome.bitFlips
            totals.safeModes += outcome.safeModes
            for failure in outcome.failures {
                Issue.record("\(failure)\nreplay: SIM_SEEDS=\(seed) swift test --filter DatabaseSimulationTests")
            }
        }
        print("simulation: \(Self.seeds.count) seeds, \(totals.lives) lives, \(totals.crashes) crashes (+\(totals.crashesDuringRecovery) during recovery), \(totals.commits) acknowledged commits, \(totals.aborts) aborted, \(totals.injectedErrors) injected I/O errors, \(totals.bitFlips) bit flips, \(totals.safeModes) safe-mode outcomes")
        #expect(totals.crashes > 0)
    }
}
