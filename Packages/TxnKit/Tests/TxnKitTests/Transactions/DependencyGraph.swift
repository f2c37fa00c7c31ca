/// A direct serialization graph (Adya): committed transactions, with an edge Ti → Tj when Tj
/// must follow Ti in any equivalent serial order: `ww` (Tj installed the next version of a key
/// Ti wrote), `wr` (Tj read a version Ti installed), `rw` (Ti read a version and Tj installed the
/// next one: an anti-dependency). A cycle of `ww`/`wr` edges is G0/G1c; a cycle that needs `rw`
/// edges is G2 (or G-single with one), which serializability forbids.
struct DependencyGraph {
    enum Kind: String, CaseIterable { case ww, wr, rw }

    struct Edge: Hashable {
        var to: UInt64
        var kind: Kind
        var key: String
    }

    private(set) var edges: [UInt64: [Edge]] = [:]
    private(set) var edgeCount = 0

    mutating func add(_ from: UInt64, _ to: UInt64, _ kind: Kind, key: String) {
        guard from != to else { return }
        edges[from, default: []].append(Edge(to: to, kind: kind, key: key))
        edgeCount += 1
    }

    /// A cycle using only edges of `kinds`, as `T1 -ww(k)-> T2 -rw(k)-> T1`; nil if acyclic.
    /// Depth-first, iterative (histories have thousands of transactions), in id order so the
    /// cycle reported for a given history is always the same.
    func cycle(using kinds: Set<Kind>) -> String? {
        enum Color { case white, grey, black }
        var color: [UInt64: Color] = [:]
        for start in edges.keys.sorted() where color[start, default: .white] == .white {
            // The path from `start`: each node with the index of the next edge to follow, and the edge that led to it.
            var path: [(node: UInt64, next: Int, via: Edge?)] = [(start, 0, nil)]
            color[start] = .grey
            while let top = path.last {
                let out = edges[top.node] ?? []
                guard top.next < out.count else {
                    color[top.node] = .black
                    path.removeLast()
                    continue
                }
                path[path.count - 1].next += 1
                let edge = out[top.next]
                guard kinds.contains(edge.kind) else { continue }
                switch color[edge.to, default: .white] {
                case .black: continue
                case .white:
                    color[edge.to] = .grey
                    path.append((edge.to, 0, edge))
                case .grey:
                    let first = path.lastIndex { $0.node == edge.to }!
                    var text = "T\(edge.to)"
                    for step in path[(first + 1)...] { text += " -\(step.via!.kind)(\(step.via!.key))-> T\(step.node)" }
                    return text + " -\(edge.kind)(\(edge.key))-> T\(edge.to)"
                }
            }
        }
        return nil
    }
}
