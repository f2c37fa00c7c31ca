/// A fault rule with its count of matching operations since it was added.
struct ActiveRule: Sendable {
    let rule: FaultRule
    var matched = 0
}

/// A `flipBitsOnRead` setting.
struct BitFlipRule: Sendable {
    let probability: Double
    let pathContains: String?
}
