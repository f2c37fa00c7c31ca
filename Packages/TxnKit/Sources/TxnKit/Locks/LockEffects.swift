/// What a lock-table operation decided to do to suspended tasks and timers; collected under the
/// table's lock and carried out after it is released, so no continuation runs inside it.
struct LockEffects: Sendable {
    private var resumptions: [(CheckedContinuation<Void, any Error>, (any Error)?)] = []
    private var timers: [Task<Void, Never>] = []

    mutating func grant(_ continuation: CheckedContinuation<Void, any Error>) {
        resumptions.append((continuation, nil))
    }

    mutating func fail(_ continuation: CheckedContinuation<Void, any Error>, with error: any Error) {
        resumptions.append((continuation, error))
    }

    /// A waiter's wait ended: resume it and stop its timer.
    mutating func end(_ waiter: LockWaiter, with error: (any Error)?) {
        resumptions.append((waiter.continuation, error))
        if let timer = waiter.timer { timers.append(timer) }
    }

    func run() {
        for timer in timers { timer.cancel() }
        for (continuation, error) in resumptions {
            if let error {
                continuation.resume(throwing: error)
            } else {
                continuation.resume()
            }
        }
    }
}
