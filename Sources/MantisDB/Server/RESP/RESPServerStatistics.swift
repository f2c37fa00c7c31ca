import Synchronization

/// Counters of a `RESPServer` (for `INFO`). Lock-free; connections add their counts in batches.
final class RESPServerStatistics: Sendable {
    let connectionsReceived = Atomic<Int>(0)
    let connectionsRejected = Atomic<Int>(0)
    let commandsProcessed = Atomic<Int>(0)
    let protocolErrors = Atomic<Int>(0)
    let bytesReceived = Atomic<Int>(0)
    let bytesSent = Atomic<Int>(0)
    let nextClientID = Atomic<UInt64>(1)

    func add(_ counter: borrowing Atomic<Int>, _ amount: Int) {
        if amount != 0 { counter.wrappingAdd(amount, ordering: .relaxed) }
    }

    func load(_ counter: borrowing Atomic<Int>) -> Int { counter.load(ordering: .relaxed) }
}
