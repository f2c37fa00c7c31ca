extension StorageFile {
    /// Reads `length` bytes from `offset` in pieces of at most `pieceSize` (one buffer, reused),
    /// handing each to `body` with its offset in the file; stops early where the file ends.
    /// Returns how many bytes were read. A piece is valid only during `body`.
    @discardableResult
    public func forEachPiece(from offset: Int64, length: Int64, pieceSize: Int = 1 << 20,
                             _ body: (UnsafeRawBufferPointer, Int64) throws -> Void) throws -> Int64 {
        guard length > 0 else { return 0 }
        var buffer = [UInt8](repeating: 0, count: Int(min(Int64(pieceSize), length)))
        var done: Int64 = 0
        while done < length {
            let want = Int(min(Int64(buffer.count), length - done))
            let count = try buffer.withUnsafeMutableBytes { try read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want]), at: offset + done) }
            guard count > 0 else { break }
            try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<count]), offset + done) }
            done += Int64(count)
        }
        return done
    }
}
