import Dispatch

/// Runs blocking file I/O (writes, fsync) in order on one dedicated thread, never on the Swift
/// concurrency pool, and lets async callers await the result.
final class SerialIO: Sendable {
    let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    /// For synchronous callers (offline tools): blocks the calling thread.
    func runBlocking<T>(_ body: () throws -> T) rethrows -> T {
        try queue.sync { try body() }
    }
}
