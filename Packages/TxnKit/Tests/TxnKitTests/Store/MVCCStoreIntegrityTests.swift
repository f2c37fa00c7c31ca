import IntegrityKit
import MantisCore
import Testing
import TxnKit

@Suite("MVCCStore value checksums")
struct MVCCStoreIntegrityTests {
    typealias T = StoreTestSupport

    @Test("a flipped bit is caught on read: corruption error naming the key, value withheld")
    func flippedBitIsDetected() throws {
        let store = MVCCStore(checksum: CRC32Checksum())
        let key = T.bytes("account/42")
        store.install([(key, T.bytes("balance=100")), (T.bytes("account/43"), T.bytes("fine"))], at: 7)
        store.install(key: key, value: T.bytes("balance=90"), at: 9)
        let handedOut = try store.get(key, at: 9)

        #expect(store.corrupt(key: key, at: 9, flipping: 3))
        let error = try #require(throws: MantisError.self) { try store.get(key, at: 9) }
        #expect(error.code == .corruption)
        #expect(error.context.key == key)
        #expect(error.context.lsn == 9)
        #expect(error.hasCode(.checksumMismatch))
        #expect(error.description.contains("account/42"))
        // Scans and checkpoint iteration refuse it too; other keys and older versions read fine.
        #expect(throws: MantisError.self) { try store.scan(.prefix(T.bytes("account/")), at: 9) }
        #expect(throws: MantisError.self) { try store.forEachLatest(at: 9) { _, _ in } }
        #expect(try T.text(store.get(T.bytes("account/43"), at: 9)) == "fine")
        // A batched read refuses it too, naming it, and returns nothing.
        let batchError = try #require(throws: MantisError.self) { try store.get([T.bytes("account/43"), key], at: 9) }
        #expect(batchError.code == .corruption && batchError.context.key == key)
        #expect(try store.get([T.bytes("account/43"), key], at: 8).map(T.text) == ["fine", "balance=100"])
        #expect(try T.text(store.get(key, at: 8)) == "balance=100")
        #expect(try store.scan(.prefix(T.bytes("account/43")), at: 9).count == 1)
        // A value handed out before the damage is the client's own copy.
        #expect(T.text(handedOut) == "balance=90")
        // A newer commit heals the key.
        store.install(key: key, value: T.bytes("balance=80"), at: 11)
        #expect(try T.text(store.get(key, at: 11)) == "balance=80")
    }

    @Test("older versions are verified too")
    func olderVersion() throws {
        let store = MVCCStore(checksum: CRC32Checksum())
        store.install(key: T.bytes("k"), value: [1, 2, 3, 4], at: 1)
        store.install(key: T.bytes("k"), value: [5, 6, 7, 8], at: 2)
        #expect(store.corrupt(key: T.bytes("k"), at: 1, flipping: 31))
        #expect(throws: MantisError.self) { try store.get(T.bytes("k"), at: 1) }
        #expect(try store.get(T.bytes("k"), at: 2) == [5, 6, 7, 8])
        #expect(!store.corrupt(key: T.bytes("k"), at: 3, flipping: 0))
        #expect(!store.corrupt(key: T.bytes("k"), at: 2, flipping: 32))
        #expect(!store.corrupt(key: T.bytes("nope"), at: 2, flipping: 0))
    }

    @Test("with verifyReads off the stored bytes are returned as they are")
    func verificationOff() throws {
        let store = MVCCStore(checksum: CRC32Checksum(), verifyReads: false)
        store.install(key: T.bytes("k"), value: [0b0000_0000, 0xAA], at: 1)
        store.corrupt(key: T.bytes("k"), at: 1, flipping: 2)
        #expect(try store.get(T.bytes("k"), at: 1) == [0b0000_0100, 0xAA])
        #expect(try store.scan(.all, at: 1).map(\.value) == [[0b0000_0100, 0xAA]])
    }

    @Test("without a checksum algorithm nothing is verified")
    func noChecksum() throws {
        let store = MVCCStore()
        #expect(store.checksumAlgorithm == nil)
        store.install(key: T.bytes("k"), value: [0xFF], at: 1)
        store.corrupt(key: T.bytes("k"), at: 1, flipping: 7)
        #expect(try store.get(T.bytes("k"), at: 1) == [0x7F])
    }
}
