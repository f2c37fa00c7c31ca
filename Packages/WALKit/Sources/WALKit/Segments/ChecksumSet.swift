import MantisCore

/// The checksum algorithms a reader can verify with, looked up by the identifier a segment
/// header records.
struct ChecksumSet: Sendable {
    let algorithms: [any ChecksumAlgorithm]

    init(primary: any ChecksumAlgorithm, additional: [any ChecksumAlgorithm] = []) {
        algorithms = [primary] + additional
    }

    func algorithm(identifier: UInt8, file: String) throws -> any ChecksumAlgorithm {
        if let found = algorithms.first(where: { $0.identifier == identifier }) { return found }
        let known = algorithms.map { "\($0.name) (\($0.identifier))" }.joined(separator: ", ")
        throw MantisError(
            .unsupportedFormat,
            "segment records use checksum algorithm id \(identifier), which this configuration cannot verify (available: \(known))",
            context: ErrorContext(operation: "open segment", file: file, offset: 40)
        )
    }
}
