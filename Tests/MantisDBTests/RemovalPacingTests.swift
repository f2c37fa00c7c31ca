import IntegrityKit
import MantisCore
import MantisCoreTesting
@testable import MantisDB
import Testing

@Suite struct RemovalPacingTests {
    func options(reserve: DiskReserve?, capacity: Int64) -> DatabaseOptions {
        let fs = FaultInjectingFileSystem(seed: 1)
        fs.capacity = capacity
        try? fs.createDirectory("/db")  // as at open: the directory exists (it holds the LOCK)
        var options = DatabaseOptions(directory: "/db")
        options.fileSystem = fs
        options.diskReserve = reserve
        return options
    }

    @Test("deletions stop being paced within twice the disk reserve of a full disk")
    func nearTheReserve() throws {
        let pacing = RemovalPacing(chunk: 1 << 20, pause: .milliseconds(3))
        let bytes = options(reserve: .bytes(100 << 20), capacity: 10 << 30).removalPacingNearReserve(pacing)
        #expect(bytes == RemovalPacing(chunk: 1 << 20, pause: .milliseconds(3), unpacedBelowFree: 200 << 20))
        // 5 % of a 10 GiB file system is 512 MiB: unpaced below 1 GiB free.
        let percent = options(reserve: .percent(5), capacity: 10 << 30).removalPacingNearReserve(pacing)
        #expect(percent?.unpacedBelowFree == 1 << 30)
    }

    @Test("no reserve, no pacing, or a threshold already chosen: left as it is")
    func leftAlone() throws {
        let pacing = RemovalPacing(chunk: 1 << 20, pause: .milliseconds(3))
        #expect(options(reserve: nil, capacity: 1 << 30).removalPacingNearReserve(pacing) == pacing)
        #expect(options(reserve: .bytes(1 << 20), capacity: 1 << 30).removalPacingNearReserve(nil) == nil)
        var chosen = pacing
        chosen.unpacedBelowFree = 5
        #expect(options(reserve: .bytes(1 << 20), capacity: 1 << 30).removalPacingNearReserve(chosen) == chosen)
    }
}
