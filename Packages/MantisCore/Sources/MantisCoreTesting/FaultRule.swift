/// An error-injection rule for `FaultInjectingFileSystem.inject(_:)`.
///
/// A rule matches an operation whose kind is in `operations` and, if `pathContains` is set,
/// whose path (either path, for a rename) contains that string. Matching operations are counted
/// from the moment the rule is added.
public struct FaultRule: Sendable, CustomStringConvertible {
    /// When a rule fires.
    public enum Trigger: Sendable, Hashable, CustomStringConvertible {
        /// Once, on the nth matching operation (1-based), counted from when the rule was added.
        case nth(Int)
        /// On every matching operation from the nth on: a dead disk.
        case fromNth(Int)
        /// On each matching operation independently with this probability (seeded).
        case probability(Double)

        public var description: String {
            switch self {
            case .nth(let n): "nth(\(n))"
            case .fromNth(let n): "fromNth(\(n))"
            case .probability(let p): "probability(\(p))"
            }
        }
    }

    /// The errno the injected failure reports.
    public enum Failure: Sendable, Hashable, CustomStringConvertible {
        /// EIO: `.ioError`, or `.syncFailed` for a sync.
        case eio
        /// ENOSPC: `.diskFull`.
        case enospc

        public var description: String {
            switch self {
            case .eio: "EIO"
            case .enospc: "ENOSPC"
            }
        }
    }

    public var operations: Set<FaultOperation>
    public var failure: Failure
    public var trigger: Trigger
    public var pathContains: String?

    public init(_ operations: Set<FaultOperation>, _ failure: Failure = .eio, trigger: Trigger, pathContains: String? = nil) {
        self.operations = operations
        self.failure = failure
        self.trigger = trigger
        self.pathContains = pathContains
    }

    public var description: String {
        let kinds = operations.map(\.description).sorted().joined(separator: ",")
        var text = "\(failure) on [\(kinds)] \(trigger)"
        if let pathContains { text += " path~\"\(pathContains)\"" }
        return text
    }
}
