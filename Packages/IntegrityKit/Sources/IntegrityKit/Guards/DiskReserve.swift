import MantisCore

/// How much free space must remain on a file system: new writes are refused below it.
public enum DiskReserve: Sendable, Hashable, CustomStringConvertible {
    /// An absolute number of bytes.
    case bytes(Int64)
    /// A percentage (0–100) of the file system's total size.
    case percent(Double)

    /// The reserve in bytes on a file system of `total` bytes.
    public func bytes(ofTotal total: Int64) -> Int64 {
        switch self {
        case .bytes(let bytes): bytes
        case .percent(let percent): Int64((Double(total) * percent / 100).rounded(.up))
        }
    }

    /// - Throws: `invalidConfiguration` for a negative size or a percentage outside 0–100.
    public func validate() throws {
        let valid: Bool
        switch self {
        case .bytes(let bytes): valid = bytes >= 0
        case .percent(let percent): valid = percent >= 0 && percent <= 100
        }
        guard valid else {
            throw MantisError(.invalidConfiguration, "disk reserve \(self) is invalid: a size ≥ 0 or a percentage between 0 and 100",
                              context: ErrorContext(operation: "configure", metadata: ["setting": "disk.reserve"]))
        }
    }

    public var description: String {
        switch self {
        case .bytes(let bytes): ByteCount.format(bytes)
        case .percent(let percent): "\(percent)%"
        }
    }
}

/// Human-readable byte counts for messages.
public enum ByteCount {
    /// `512 B`, `3.2 KiB`, `64.0 MiB`, `1.5 GiB`…
    public static func format(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while abs(value) >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) B" }
        let tenths = (value * 10).rounded() / 10
        return "\(tenths) \(units[unit])"
    }
}
