#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MantisCore

/// Checks that a server could listen on an address before anything slow (opening the database,
/// replaying its log) is done for nothing: binds a socket there, as the servers do
/// (`SO_REUSEADDR`), and closes it. Another process can still take the port in between; the
/// server's own bind then fails.
public enum ListenProbe {
    /// Throws if `host:port` cannot be bound, naming the address, what it is for and the setting.
    /// Port 0 (any free port) always passes.
    public static func check(host: String, port: Int, purpose: String, setting: String) throws {
        guard port != 0 else { return }
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0, let first = list else {
            throw failure(host, port, purpose, setting, "cannot resolve the host (\(String(cString: gai_strerror(resolved))))", errno: nil)
        }
        defer { freeaddrinfo(list) }
        let descriptor = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard descriptor >= 0 else { return }  // cannot even probe: leave it to the server's bind
        defer { close(descriptor) }
        var one: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(descriptor, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0, listen(descriptor, 1) == 0 else {
            let code = errno
            let advice = code == EADDRINUSE
                ? ": another process (another mantisdb, a redis-server?) is listening there; stop it or choose another port"
                : ""
            throw failure(host, port, purpose, setting, String(cString: strerror(code)) + advice, errno: code)
        }
    }

    /// The error for a server that cannot listen on `host:port` (this probe's, or a server's own
    /// failed bind).
    static func failure(_ host: String, _ port: Int, _ purpose: String, _ setting: String, _ why: String, errno: Int32?) -> MantisError {
        let shown = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        return MantisError(.ioError, "cannot listen on \(shown) for \(purpose) (\(setting)): \(why)",
                           context: ErrorContext(operation: "listen", errno: errno))
    }
}
