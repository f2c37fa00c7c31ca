import MantisCore

/// What the database does about a failed operation.
public enum ErrorAction: String, Sendable, Hashable, CaseIterable, Comparable, CustomStringConvertible {
    /// Try again with backoff (see `Retrier`); only ever for retryable errors.
    case retry
    /// Fail this operation with the error; the database carries on.
    case reject
    /// Go read-only (safe mode): writes are refused, reads continue, health is critical.
    case readOnly = "read-only"
    /// Stop the database: its state can no longer be trusted.
    case stop

    private var rank: Int {
        switch self {
        case .retry: 0
        case .reject: 1
        case .readOnly: 2
        case .stop: 3
        }
    }

    public static func < (lhs: ErrorAction, rhs: ErrorAction) -> Bool { lhs.rank < rhs.rank }
    public var description: String { rawValue }
}

/// Maps each error class to an action. Defaults: transient → retry, resource → reject,
/// corruption → read-only, permanent → reject, programming → stop.
///
/// Some choices cannot be configured away (`init` refuses them, `decide` enforces them):
/// - an fsync/fdatasync failure anywhere in the chain, and a failed log (`walFailed`), are at
///   least **read-only** — never retried, never a plain rejection (DESIGN.md rule 2);
/// - `corruption` and `programming` are never retried;
/// - an error that is not retryable (see `ClassifiedError.isRetryable`) whose class maps to
///   `retry` is rejected instead.
public struct ErrorPolicy: Sendable {
    public let classification: ErrorClassification
    public let actions: [ErrorClass: ErrorAction]

    public static let defaultActions: [ErrorClass: ErrorAction] = [
        .transient: .retry, .resource: .reject, .corruption: .readOnly, .permanent: .reject, .programming: .stop,
    ]

    /// Codes whose action is at least the given one, whatever the class maps to.
    public static let minimumActions: [MantisError.Code: ErrorAction] = [
        .syncFailed: .readOnly, .walFailed: .readOnly,
    ]

    /// - Throws: `invalidConfiguration` if `corruption` or `programming` maps to `retry`.
    public init(classification: ErrorClassification = .standard, actions: [ErrorClass: ErrorAction] = ErrorPolicy.defaultActions) throws {
        for errorClass in [ErrorClass.corruption, .programming] where actions[errorClass] == .retry {
            throw MantisError(.invalidConfiguration, "error policy: \(errorClass) errors are never retried; choose reject, read-only or stop",
                              context: ErrorContext(operation: "configure", metadata: ["setting": "error_policy.\(errorClass)"]))
        }
        self.classification = classification
        var merged = ErrorPolicy.defaultActions
        for (errorClass, action) in actions { merged[errorClass] = action }
        self.actions = merged
    }

    /// From configuration text: class name → action name (`retry`, `reject`, `read-only`, `stop`).
    /// Classes not named keep their default.
    /// - Throws: `invalidConfiguration` naming the bad key or value.
    public init(configuration: [String: String], classification: ErrorClassification = .standard) throws {
        var actions: [ErrorClass: ErrorAction] = [:]
        for (key, value) in configuration {
            guard let errorClass = ErrorClass(rawValue: key) else {
                throw MantisError(.invalidConfiguration, "error policy: unknown error class \"\(key)\"; valid: \(ErrorClass.allCases.map(\.rawValue).joined(separator: ", "))",
                                  context: ErrorContext(operation: "configure", metadata: ["setting": "error_policy"]))
            }
            guard let action = ErrorAction(rawValue: value) else {
                throw MantisError(.invalidConfiguration, "error policy: unknown action \"\(value)\" for \(key); valid: \(ErrorAction.allCases.map(\.rawValue).joined(separator: ", "))",
                                  context: ErrorContext(operation: "configure", metadata: ["setting": "error_policy.\(key)"]))
            }
            actions[errorClass] = action
        }
        try self.init(classification: classification, actions: actions)
    }

    public static let standard = try! ErrorPolicy()

    /// The action for `error`, with its classification and why.
    public func decide(_ error: any Error) -> ErrorDecision {
        let classified = classification.classify(error)
        var action = actions[classified.errorClass] ?? .reject
        var reason = "\(classified.errorClass) errors: \(action)"
        if action == .retry && !classified.isRetryable {
            action = .reject
            reason = "not retryable (\(classified.involvesSync ? "an fsync failed" : "a non-transient cause")): reject"
        }
        var floor: ErrorAction?
        var floorReason = ""
        if classified.involvesSync {
            floor = .readOnly
            floorReason = "an fsync/fdatasync failed: never retried; the log is failed, the database must go read-only and restart to recover"
        }
        var current: MantisError? = classified.error
        while let link = current {
            if let minimum = Self.minimumActions[link.code], minimum > (floor ?? .retry) {
                floor = minimum
                floorReason = "\(link.code): \(classification.traits(of: link.code).summary)"
            }
            current = link.cause as? MantisError
        }
        if let floor, action < floor {
            action = floor
            reason = floorReason
        }
        return ErrorDecision(action: action, classified: classified, reason: reason)
    }
}

/// What `ErrorPolicy.decide` concluded.
public struct ErrorDecision: Sendable, CustomStringConvertible {
    public var action: ErrorAction
    public var classified: ClassifiedError
    public var reason: String

    public var description: String { "\(action) (\(reason)): \(classified)" }
}
