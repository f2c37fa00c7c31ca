import MantisCore

extension LockMode {
    /// Whether a lock in this mode can be held together with one in `other` by another transaction.
    func isCompatible(with other: LockMode) -> Bool {
        self == .shared && other == .shared
    }

    /// Whether holding this mode already grants a request for `requested`.
    func covers(_ requested: LockMode) -> Bool {
        self == .exclusive || requested == .shared
    }

    /// The stronger of the two modes.
    func joined(with other: LockMode) -> LockMode {
        self == .exclusive || other == .exclusive ? .exclusive : .shared
    }
}
