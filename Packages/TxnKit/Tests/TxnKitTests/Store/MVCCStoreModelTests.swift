import MantisCore
import Testing
import TxnKit

/// The obvious implementation the store must agree with: per key, every version in a list.
private struct ReferenceStore {
    var versions: [[UInt8]: [(commit: UInt64, value: [UInt8]?)]] = [:]   // ascending by commit
    private var sortedKeysCache: [[UInt8]]?

    var sortedKeys: [[UInt8]] {
        mutating get {
            if let sortedKeysCache { return sortedKeysCache }
            let keys = versions.keys.sorted { $0.lexicographicallyPrecedes($1) }
            sortedKeysCache = keys
            return keys
        }
    }

    func visible(_ key: [UInt8], at snapshot: UInt64) -> [UInt8]? {
        versions[key]?.last(where: { $0.commit <= snapshot })?.value ?? nil
    }

    mutating func install(_ writes: [(key: [UInt8], value: [UInt8]?)], at commit: UInt64) {
        for (key, value) in writes {
            if versions[key] == nil { sortedKeysCache = nil }
            var list = versions[key] ?? []
            if let index = list.firstIndex(where: { $0.commit == commit }) {
                list[index].value = value
            } else {
                list.append((commit, value))
                list.sort { $0.commit < $1.commit }
            }
            versions[key] = list
        }
    }

    mutating func scan(_ range: KeyRange, at snapshot: UInt64, limit: Int) -> [(key: [UInt8], value: [UInt8])] {
        var result: [(key: [UInt8], value: [UInt8])] = []
        for key in sortedKeys where range.contains(key) && result.count < limit {
            if let value = visible(key, at: snapshot) { result.append((key, value)) }
        }
        return result
    }

    func hasVersion(in range: KeyRange, newerThan commit: UInt64) -> Bool {
        versions.contains { key, list in range.contains(key) && list.last!.commit > commit }
    }

    /// The rule, stated plainly: keep every version above the horizon and the newest at or
    /// below it, unless that one is a tombstone; a key with nothing left is gone.
    mutating func collect(horizon: UInt64) -> Int {
        var removed = 0
        for (key, list) in versions {
            guard let newestBelow = list.lastIndex(where: { $0.commit <= horizon }) else { continue }
            var keep = Array(list[(newestBelow + 1)...])
            if list[newestBelow].value != nil { keep.insert(list[newestBelow], at: 0) }
            removed += list.count - keep.count
            if keep.isEmpty {
                versions[key] = nil
                sortedKeysCache = nil
            } else {
                versions[key] = keep
            }
        }
        return removed
    }
}

@Suite("MVCCStore against a reference model")
struct MVCCStoreModelTests {
    typealias T = StoreTestSupport

    @Test("random installs, out-of-order installs, reads, scans and collections agree with the model",
          arguments: [UInt64(1), 0xC0FFEE, 20_240_611])
    func randomizedAgainstModel(seed: UInt64) throws {
        var random = StoreTestRandom(seed: seed)
        // Keys over a tiny alphabet with edge bytes, so ordering corner cases come up often.
        let alphabet: [UInt8] = [0x00, 0x01, 0x61, 0x7F, 0x80, 0xFE, 0xFF]
        var pool = Set<[UInt8]>()
        while pool.count < 1200 {
            pool.insert((0..<random.below(6)).map { _ in alphabet[random.below(alphabet.count)] })
        }
        let keys = Array(pool).sorted { $0.lexicographicallyPrecedes($1) }
        func randomKey() -> [UInt8] { keys[random.below(keys.count)] }
        func randomRange() -> KeyRange {
            switch random.below(5) {
            case 0: return .prefix(Array(randomKey().prefix(random.below(3))))
            case 1: return .from(randomKey())
            case 2: return .below(randomKey())
            case 3: return .all
            default: return KeyRange(lower: randomKey(), upper: randomKey())
            }
        }

        let store = MVCCStore(checksum: nil, verifyReads: true, leafCapacity: 16, chunkSize: 7)
        var model = ReferenceStore()
        var nextCommit: UInt64 = 1
        var pending: [(commit: UInt64, writes: [(key: [UInt8], value: [UInt8]?)])] = []
        var installedCommits = Set<UInt64>()
        var stable: UInt64 = 0       // every commit at or below it is installed
        var horizon: UInt64 = 0
        var checks = 0

        func installNow(_ writes: [(key: [UInt8], value: [UInt8]?)], at commit: UInt64) {
            store.install(writes, at: commit)
            model.install(writes, at: commit)
            installedCommits.insert(commit)
            while installedCommits.contains(stable + 1) { stable += 1 }
        }

        for step in 0..<4000 {
            switch random.below(100) {
            case 0..<35:
                // A commit; sometimes held back so that later ones install before it.
                let writes = (0..<(1 + random.below(6))).map { _ in
                    (key: randomKey(), value: random.chance(30) ? nil : random.bytes(random.below(5)))
                }
                let commit = nextCommit
                nextCommit += 1
                if random.chance(25) {
                    pending.append((commit, writes))
                } else {
                    installNow(writes, at: commit)
                }
            case 35..<42 where !pending.isEmpty:
                let held = pending.remove(at: random.below(pending.count))
                installNow(held.writes, at: held.commit)
            case 42..<44:
                // A deletion sweep over a range, so leaves empty out and merge.
                let doomed = model.scan(randomRange(), at: .max, limit: 200).map(\.key)
                if !doomed.isEmpty {
                    installNow(doomed.map { ($0, nil) }, at: nextCommit)
                    nextCommit += 1
                }
            case 44..<65:
                let key = randomKey()
                let snapshot = horizon + UInt64(random.below(Int(nextCommit - horizon) + 2))
                #expect(try store.get(key, at: snapshot) == model.visible(key, at: snapshot), "step \(step)")
                #expect(store.latestCommit(of: key) == model.versions[key]?.last?.commit, "step \(step)")
                // The batched read agrees key by key (repeats and absent keys included).
                let batch = (0..<random.below(12)).map { _ in randomKey() } + [key, key]
                #expect(try store.get(batch, at: snapshot) == batch.map { model.visible($0, at: snapshot) }, "step \(step)")
            case 65..<80:
                let range = randomRange()
                let snapshot = horizon + UInt64(random.below(Int(nextCommit - horizon) + 2))
                let limit = random.chance(30) ? 1 + random.below(20) : Int.max
                let got = try store.scan(range, at: snapshot, limit: limit == Int.max ? nil : limit)
                let expected = model.scan(range, at: snapshot, limit: limit)
                #expect(got.map(\.key) == expected.map(\.key), "step \(step) \(range)@\(snapshot)")
                #expect(got.map(\.value) == expected.map(\.value), "step \(step)")
            case 80..<88:
                let range = randomRange()
                let commit = UInt64(random.below(Int(nextCommit) + 1))
                #expect(store.hasVersion(in: range, newerThan: commit) == model.hasVersion(in: range, newerThan: commit),
                        "step \(step) \(range) > \(commit)")
            case 88..<93:
                // Collect at a horizon every installed commit below is in (what a manager guarantees).
                let newHorizon = max(horizon, horizon + UInt64(random.below(Int(stable - min(stable, horizon)) + 1)))
                let removed = store.collectGarbage(oldestActiveSnapshot: newHorizon)
                #expect(removed == model.collect(horizon: newHorizon), "step \(step)")
                horizon = newHorizon
            case 93..<95 where horizon > 0:
                let tooOld = UInt64(random.below(Int(horizon)))
                #expect(throws: MantisError.self) { try store.get(randomKey(), at: tooOld) }
            default:
                let stats = store.statistics
                #expect(stats.keys == model.versions.count, "step \(step)")
                #expect(stats.versions == model.versions.values.reduce(0) { $0 + $1.count }, "step \(step)")
                #expect(stats.tombstones == model.versions.values.reduce(0) { $0 + $1.filter { $0.value == nil }.count })
                #expect(stats.liveKeys == model.versions.values.filter { $0.last!.value != nil }.count)
                if random.chance(20) { #expect(store.invariantViolations() == [], "step \(step)") }
                checks += 1
            }
        }
        // Drain, then compare complete snapshots at every commit since the horizon.
        for held in pending { installNow(held.writes, at: held.commit) }
        #expect(store.invariantViolations() == [])
        for snapshot in stride(from: horizon, through: nextCommit, by: max(1, Int(nextCommit - horizon) / 50)) {
            var iterated: [(key: [UInt8], value: [UInt8])] = []
            try store.forEachLatest(at: snapshot) { iterated.append(($0, $1)) }
            let expected = model.scan(.all, at: snapshot, limit: .max)
            #expect(iterated.map(\.key) == expected.map(\.key))
            #expect(iterated.map(\.value) == expected.map(\.value))
        }
        #expect(store.collectGarbage(oldestActiveSnapshot: nextCommit) == model.collect(horizon: nextCommit))
        #expect(store.statistics.versions == store.statistics.keys)
        #expect(store.invariantViolations() == [])
        #expect(checks > 0)
    }
}
