/// An open handle as the model knows it.
struct HandleToken: Sendable {
    let id: Int
    let node: NodeID
    let generation: Int
    let writable: Bool
}
