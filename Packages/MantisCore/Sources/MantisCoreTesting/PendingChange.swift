/// One unsynced change to a file, kept in order until the next successful sync.
enum PendingChange: Sendable {
    case write(offset: Int, bytes: [UInt8])
    case truncate(Int)
    case preallocate(Int)

    /// Applies the change to `image`, growing it with zeroes where needed.
    func apply(to image: inout [UInt8]) {
        switch self {
        case .write(let offset, let bytes):
            Self.write(bytes[...], at: offset, into: &image)
        case .truncate(let size):
            Self.resize(&image, to: size)
        case .preallocate(let length):
            if length > image.count { Self.resize(&image, to: length) }
        }
    }

    static func write(_ bytes: ArraySlice<UInt8>, at offset: Int, into image: inout [UInt8]) {
        guard !bytes.isEmpty else { return }
        let end = offset + bytes.count
        if end > image.count { resize(&image, to: end) }
        image.replaceSubrange(offset..<end, with: bytes)
    }

    static func resize(_ image: inout [UInt8], to size: Int) {
        if size < image.count {
            image.removeLast(image.count - size)
        } else if size > image.count {
            // An array, not `repeatElement`: appending a `Repeated` goes element by element, which
            // in a debug build took ~3 ms per 6 KiB preallocation (most of a crash-point run).
            image.append(contentsOf: [UInt8](repeating: 0, count: size - image.count))
        }
    }

    /// `changes` applied in order on top of `base`.
    static func image(_ base: [UInt8], applying changes: some Sequence<PendingChange>) -> [UInt8] {
        var image = base
        for change in changes { change.apply(to: &image) }
        return image
    }
}
