import MantisCore

/// The checksum algorithms IntegrityKit provides, found by configuration name or by the
/// identifier byte a file header records.
public enum ChecksumAlgorithms {
    /// Every registered name, in identifier order.
    public static let names: [String] = all.map(\.name)

    /// One instance of each algorithm (all are stateless).
    public static let all: [any ChecksumAlgorithm] = [CRC32Checksum(), CRC32CChecksum()]

    /// The algorithm configured as `name` (exact, lower-case match).
    /// - Throws: `MantisError(.invalidConfiguration)` naming the valid choices.
    public static func named(_ name: String) throws -> any ChecksumAlgorithm {
        if let algorithm = all.first(where: { $0.name == name }) { return algorithm }
        throw MantisError(
            .invalidConfiguration,
            "unknown checksum algorithm \"\(name)\"; valid names: \(names.joined(separator: ", "))",
            context: ErrorContext(operation: "checksum lookup"))
    }

    /// The algorithm whose file-header identifier is `id`, or nil if none is registered
    /// (the caller reports the file as unsupported).
    public static func identified(by id: UInt8) -> (any ChecksumAlgorithm)? {
        all.first { $0.identifier == id }
    }
}
