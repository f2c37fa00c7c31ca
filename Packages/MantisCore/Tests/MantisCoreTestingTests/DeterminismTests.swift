import MantisCore
import MantisCoreTesting
import Testing

@Suite struct DeterminismTests {
    /// A small chaos workload; returns everything observable about the run.
    func run(seed: UInt64, mode: CrashMode) throws -> [String] {
        let fs = FaultInjectingFileSystem(seed: seed)
        try fs.createDirectory("/db")
        fs.inject(FaultRule([.write], trigger: .probability(0.1)))
        fs.inject(FaultRule([.sync], trigger: .probability(0.05)))
        fs.flipBitsOnRead(probability: 0.1)
        var observed: [String] = []
        for segment in 0..<3 {
            let path = "/db/segment-\(segment)"
            let file = try fs.openFile(path, options: .createNew)
            for record in 0..<40 {
                let payload = bytes(UInt8(record), 300 + record * 7)
                do {
                    try file.append(payload)
                    if record % 5 == 4 { try file.syncData() }
                } catch {
                    observed.append("\(error)")
                }
                if let read = try? file.read(count: 16, at: 0) { observed.append("\(read)") }
            }
            if segment != 1 { try? fs.syncDirectory("/db") }
        }
        let report = fs.crash(mode)
        fs.removeAllFaults()
        observed.append(report.description)
        observed += fs.injectedFaults
        for name in try fs.contentsOfDirectory("/db") {
            observed.append("\(name): \(try fs.readFile("/db/" + name))")
        }
        return observed
    }

    @Test(arguments: CrashMode.allCases)
    func theSameSeedReplaysExactly(mode: CrashMode) throws {
        let first = try run(seed: 2024, mode: mode)
        #expect(try run(seed: 2024, mode: mode) == first)
        #expect(try run(seed: 2025, mode: mode) != first)
    }
}
