extension MantisConfiguration {
    /// The persistence settings under the names Redis clients ask for (`redis-benchmark` reads
    /// `save` and `appendonly` at start): every write is logged (`appendonly yes`), with the
    /// fsync policy that matches `wal.durability`; no RDB-style snapshot schedule (`save ""`).
    public func redisCompatiblePairs() -> [(String, String)] {
        let appendfsync = switch wal.durability {
        case .sync: "always"
        case .async: "everysec"
        case .os: "no"
        }
        return [("appendonly", "yes"), ("appendfsync", appendfsync), ("save", "")]
    }
}
