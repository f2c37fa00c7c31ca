import MantisCore

extension CheckpointReader {
    /// Checks a decompressed block: exactly `count` whole entries filling it, keys strictly
    /// ascending and after `previous`. Returns where the block's last key is.
    static func checkEntries(
        _ raw: UnsafeRawBufferPointer, count: Int, after previous: [UInt8]?,
        failure: (_ message: String, _ entry: Int, _ position: Int) -> MantisError
    ) throws -> Range<Int> {
        var position = 0
        var lastKey: Range<Int>?
        for entry in 0..<count {
            let start = position
            guard raw.count - position >= 4 else { throw failure("its key length runs past the end of the block", entry, start) }
            let keyLength = Int(raw.loadLittleEndian(UInt32.self, at: position))
            position += 4
            guard keyLength <= raw.count - position else {
                throw failure("key length \(keyLength) runs past the end of the block", entry, start)
            }
            let key = position..<(position + keyLength)
            position += keyLength
            guard raw.count - position >= 4 else { throw failure("its value length runs past the end of the block", entry, start) }
            let valueLength = Int(raw.loadLittleEndian(UInt32.self, at: position))
            position += 4
            guard valueLength <= raw.count - position else {
                throw failure("value length \(valueLength) runs past the end of the block", entry, start)
            }
            position += valueLength
            let keyBytes = UnsafeRawBufferPointer(rebasing: raw[key])
            let ordered: Bool
            if let lastKey {
                ordered = KeyOrder.precedes(UnsafeRawBufferPointer(rebasing: raw[lastKey]), keyBytes)
            } else if let previous {
                ordered = previous.withUnsafeBytes { KeyOrder.precedes($0, keyBytes) }
            } else {
                ordered = true
            }
            guard ordered else {
                throw failure("key \(ErrorContext.render(Array(keyBytes.prefix(64)))) does not sort after the previous key: keys out of order", entry, start)
            }
            lastKey = key
        }
        guard position == raw.count, let lastKey else {
            throw failure("\(raw.count - position) bytes follow the block's \(count) entries", count, position)
        }
        return lastKey
    }

    /// Calls `body` for each entry of a block `checkEntries` accepted.
    static func deliverEntries(
        _ raw: UnsafeRawBufferPointer, count: Int,
        to body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void
    ) throws {
        var position = 0
        for _ in 0..<count {
            let keyLength = Int(raw.loadLittleEndian(UInt32.self, at: position))
            let key = UnsafeRawBufferPointer(rebasing: raw[(position + 4)..<(position + 4 + keyLength)])
            position += 4 + keyLength
            let valueLength = Int(raw.loadLittleEndian(UInt32.self, at: position))
            let value = UnsafeRawBufferPointer(rebasing: raw[(position + 4)..<(position + 4 + valueLength)])
            position += 4 + valueLength
            try body(key, value)
        }
    }
}
