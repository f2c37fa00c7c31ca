@testable import MantisDB
import Testing

@Suite("RESP scan cursors") struct RESPScanCursorsTests {
    @Test("registering a position again returns its cursor and takes no new entry")
    func samePositionSameCursor() {
        let cursors = RESPScanCursors(capacity: 4)
        let first = cursors.register(after: Array("k:10".utf8))
        // A transaction retried 1,000 times registers the same position each time.
        for _ in 0..<1_000 { #expect(cursors.register(after: Array("k:10".utf8)) == first) }
        #expect(cursors.count == 1)
        let other = cursors.register(after: Array("k:20".utf8))
        #expect(other != first && other != 0 && other < 1 << 62)
        #expect(cursors.lastKey(of: first) == Array("k:10".utf8))
        #expect(cursors.lastKey(of: other) == Array("k:20".utf8))
    }

    @Test("past capacity the oldest cursors are forgotten; a forgotten position registers anew")
    func bounded() {
        let cursors = RESPScanCursors(capacity: 3)
        let numbers = (0..<5).map { cursors.register(after: [UInt8($0)]) }
        #expect(cursors.count == 3)
        #expect(cursors.lastKey(of: numbers[0]) == nil && cursors.lastKey(of: numbers[1]) == nil)
        #expect(numbers[2...].map { cursors.lastKey(of: $0) } == [[2], [3], [4]])
        #expect(cursors.register(after: [0]) == numbers[0])
        #expect(cursors.lastKey(of: numbers[0]) == [0] && cursors.lastKey(of: numbers[2]) == nil)
    }
}
