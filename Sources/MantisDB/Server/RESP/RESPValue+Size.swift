extension RESPValue {
    /// About the bytes the value holds (its strings and elements; headers not counted): what a
    /// reply decided early costs while it waits, e.g. in a `MULTI` queue.
    var approximateSize: Int {
        switch self {
        case .simpleString(let text), .error(let text), .bigNumber(let text): text.utf8.count
        case .bulkString(let bytes), .errorBytes(let bytes): bytes.count
        case .verbatimString(let format, let text): format.utf8.count + text.utf8.count
        case .array(let values), .set(let values), .push(let values): values.reduce(values.count) { $0 + $1.approximateSize }
        case .map(let entries): entries.reduce(entries.count) { $0 + $1.key.approximateSize + $1.value.approximateSize }
        case .integer, .null, .nullArray, .double, .boolean: 8
        }
    }
}
