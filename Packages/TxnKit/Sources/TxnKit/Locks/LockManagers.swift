import MantisCore

/// The lock managers by registry name.
public enum LockManagers {
    /// Every name `named(_:defaultTimeout:)` accepts.
    public static let names = [
        WaitForGraphLockManager.policyName,
        WaitDieLockManager.policyName,
        WoundWaitLockManager.policyName,
        TimeoutLockManager.policyName,
    ]

    /// A new lock manager with the deadlock policy `name`; `invalidConfiguration` for an
    /// unknown name.
    public static func named(_ name: String, defaultTimeout: Duration) throws -> any LockManager {
        switch name {
        case WaitForGraphLockManager.policyName: return WaitForGraphLockManager(defaultTimeout: defaultTimeout)
        case WaitDieLockManager.policyName: return WaitDieLockManager(defaultTimeout: defaultTimeout)
        case WoundWaitLockManager.policyName: return WoundWaitLockManager(defaultTimeout: defaultTimeout)
        case TimeoutLockManager.policyName: return TimeoutLockManager(defaultTimeout: defaultTimeout)
        default:
            throw MantisError(
                .invalidConfiguration,
                "unknown lock policy \"\(name)\"; valid policies: \(names.joined(separator: ", "))",
                context: ErrorContext(operation: "lock manager", metadata: ["policy": name])
            )
        }
    }
}
