import MantisCore

extension MantisError.Code {
    /// A circuit breaker is open: the protected operation failed repeatedly and is not tried
    /// until the cool-down has passed.
    public static let circuitOpen: Self = "circuit_open"
    /// The operation was cancelled (its task was cancelled or the component stopped).
    public static let cancelled: Self = "cancelled"
}
