import Synchronization

/// What `CLIENT LIST` / `CLIENT INFO` show about one connection; shared between the
/// connection (which updates it) and the registry.
final class RESPClientRecord: Sendable {
    struct Details: Sendable {
        var name: String?
        var libraryName: String?
        var libraryVersion: String?
        var protocolVersion = RESPProtocolVersion.resp2
        var inTransaction = false
        var inMulti = false
    }

    let id: UInt64
    let address: String
    let connectedAt: ContinuousClock.Instant
    let details = Mutex(Details())

    init(id: UInt64, address: String) {
        self.id = id
        self.address = address
        self.connectedAt = .now
    }

    /// One `CLIENT LIST` line.
    var line: String {
        let details = details.withLock { $0 }
        let age = (ContinuousClock.now - connectedAt).components.seconds
        var flags = ""
        if details.inMulti { flags += "x" }
        if details.inTransaction { flags += "t" }
        if flags.isEmpty { flags = "N" }
        return "id=\(id) addr=\(address) name=\(details.name ?? "") age=\(age) db=0 flags=\(flags) resp=\(details.protocolVersion.rawValue)"
            + " lib-name=\(details.libraryName ?? "") lib-ver=\(details.libraryVersion ?? "")"
    }
}
