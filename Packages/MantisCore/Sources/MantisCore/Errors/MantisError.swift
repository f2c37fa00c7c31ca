/// The one error model of MantisDB.
///
/// Every failure carries a stable `code` (new codes can be added without breaking callers,
/// since `Code` is an open struct rather than an enum), a human-readable `message`, the
/// underlying `cause` if any, and a `context` naming where it happened (file, offset, key, LSN).
public struct MantisError: Error, Sendable, CustomStringConvertible {
    public var code: Code
    public var message: String
    public var cause: (any Error & Sendable)?
    public var context: ErrorContext

    public init(
        _ code: Code,
        _ message: String,
        context: ErrorContext = ErrorContext(),
        cause: (any Error & Sendable)? = nil
    ) {
        self.code = code
        self.message = message
        self.context = context
        self.cause = cause
    }

    public var description: String {
        var text = "[\(code.rawValue)] \(message)"
        let where_ = context.description
        if !where_.isEmpty { text += " (\(where_))" }
        if let cause { text += "; caused by: \(cause)" }
        return text
    }

    /// The innermost `MantisError` in the cause chain (self if the cause is not one).
    public var rootCause: MantisError {
        var current = self
        while let inner = current.cause as? MantisError { current = inner }
        return current
    }

    /// True if this error or any error in its cause chain has `code`.
    public func hasCode(_ code: Code) -> Bool {
        var current: MantisError? = self
        while let error = current {
            if error.code == code { return true }
            current = error.cause as? MantisError
        }
        return false
    }
}

extension MantisError {
    /// Wraps any error as a `MantisError`, keeping a `MantisError` unchanged.
    public static func wrap(_ error: any Error, code: Code = .internalError, _ message: String? = nil) -> MantisError {
        if let mantis = error as? MantisError { return mantis }
        return MantisError(code, message ?? "\(error)", cause: SendableErrorBox(description: "\(error)"))
    }
}

/// A sendable stand-in for a foreign error that is not itself `Sendable`.
public struct SendableErrorBox: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}
