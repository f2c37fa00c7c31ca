import MantisCore

/// Classifies every `MantisError` code: its class, severity and whether it is recoverable.
///
/// `standard` has an entry for every code MantisCore and IntegrityKit define (a test checks
/// that none is missing). A code nobody registered — one a newer package added — gets
/// `unknown`: not retried, the operation rejected, severity `error`, needs an operator; safe
/// whatever the code turns out to mean. Packages that add codes register them with `adding`.
public struct ErrorClassification: Sendable {
    public private(set) var table: [MantisError.Code: ErrorTraits]
    /// The traits of a code that is not in the table.
    public var unknown: ErrorTraits

    public init(table: [MantisError.Code: ErrorTraits], unknown: ErrorTraits = ErrorClassification.defaultUnknown) {
        self.table = table
        self.unknown = unknown
    }

    public static let defaultUnknown = ErrorTraits(
        .permanent, .error, recoverable: false,
        "an error code this version does not know: the operation is rejected and not retried")

    /// The traits of `code` (`unknown` if unregistered).
    public func traits(of code: MantisError.Code) -> ErrorTraits {
        table[code] ?? unknown
    }

    /// Whether `code` has an entry of its own.
    public func isRegistered(_ code: MantisError.Code) -> Bool {
        table[code] != nil
    }

    /// A copy with `traits` for `code` (added or replaced).
    public func adding(_ code: MantisError.Code, _ traits: ErrorTraits) -> ErrorClassification {
        var copy = self
        copy.table[code] = traits
        return copy
    }

    /// Classifies any error.
    ///
    /// The outermost `MantisError` code gives the traits (it says what state the component is
    /// in now: a `walFailed` log stays failed whatever caused it). Two facts of the cause chain
    /// override it: corruption anywhere makes the class `corruption`; and an fsync/fdatasync
    /// failure anywhere (code `syncFailed`, or an error whose operation was `fsync`/`fdatasync`,
    /// such as ENOSPC from fsync, which is reported as `diskFull`) sets `involvesSync` — such an
    /// error is never retried (DESIGN.md rule 2). A cancellation is `cancelled`; any other
    /// foreign error is wrapped as `internalError`.
    public func classify(_ error: any Error) -> ClassifiedError {
        let mantis: MantisError
        if error is CancellationError {
            mantis = MantisError(.cancelled, "cancelled")
        } else {
            mantis = MantisError.wrap(error)
        }
        var traits = traits(of: mantis.code)
        var chain: [MantisError] = []
        var current: MantisError? = mantis
        while let link = current {
            chain.append(link)
            current = link.cause as? MantisError
        }
        let involvesSync = chain.contains { link in
            link.code == .syncFailed || link.context.operation == "fsync" || link.context.operation == "fdatasync"
        }
        if traits.errorClass != .corruption,
           let damaged = chain.dropFirst().first(where: { self.traits(of: $0.code).errorClass == .corruption }) {
            let inner = self.traits(of: damaged.code)
            traits = ErrorTraits(.corruption, max(traits.severity, inner.severity), recoverable: inner.isRecoverable && traits.isRecoverable,
                                 "caused by \(damaged.code): \(inner.summary)")
        }
        let allTransient = chain.allSatisfy { self.traits(of: $0.code).errorClass == .transient }
        return ClassifiedError(error: mantis, traits: traits, involvesSync: involvesSync, wholeChainTransient: allTransient)
    }
}
