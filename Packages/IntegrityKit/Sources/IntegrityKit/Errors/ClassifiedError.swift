import MantisCore

/// An error with its classification and where it happened.
public struct ClassifiedError: Sendable, CustomStringConvertible {
    /// The error (a foreign error wrapped as `internalError`).
    public var error: MantisError
    public var traits: ErrorTraits
    /// An fsync or fdatasync failed somewhere in the cause chain: never retried.
    public var involvesSync: Bool
    /// Every code in the cause chain is transient.
    public var wholeChainTransient: Bool

    public init(error: MantisError, traits: ErrorTraits, involvesSync: Bool, wholeChainTransient: Bool) {
        self.error = error
        self.traits = traits
        self.involvesSync = involvesSync
        self.wholeChainTransient = wholeChainTransient
    }

    public var code: MantisError.Code { error.code }
    public var errorClass: ErrorClass { traits.errorClass }
    public var severity: ErrorSeverity { involvesSync ? .critical : traits.severity }
    public var isRecoverable: Bool { traits.isRecoverable }
    /// The operation that failed (`pread`, `open wal`, `commit`…).
    public var operation: String? { error.context.operation }
    /// What it failed on: the file (with the byte offset if known), else the key, else the LSN.
    public var resource: String? {
        let context = error.context
        if let file = context.file { return context.offset.map { "\(file)@\($0)" } ?? file }
        if let key = context.key { return "key " + ErrorContext.render(key) }
        if let lsn = context.lsn { return "lsn \(lsn)" }
        return nil
    }
    public var metadata: [String: String] { error.context.metadata }

    /// Whether trying the same operation again may succeed: transient all the way down and no
    /// fsync involved.
    public var isRetryable: Bool {
        traits.errorClass == .transient && wholeChainTransient && !involvesSync
    }

    public var description: String {
        var text = "\(traits.errorClass)/\(severity)\(isRecoverable ? "" : " (needs an operator)"): \(error)"
        if involvesSync { text += " [fsync failure: never retried]" }
        return text
    }
}
