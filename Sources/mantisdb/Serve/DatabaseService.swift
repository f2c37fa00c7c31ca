import Logging
import MantisDB
import ServiceLifecycle

/// Keeps the database open until graceful shutdown, then closes it: after the servers listed
/// after it in the service group have stopped accepting and finished their commands, it syncs,
/// optionally checkpoints, and writes the clean-shutdown marker.
struct DatabaseService: Service {
    let database: Database
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        logger.notice("closing the database")
        do {
            try await database.close()
            logger.notice("database closed cleanly")
        } catch {
            logger.critical("closing the database failed: \(error)")
            throw error
        }
    }
}

/// Lets `SHUTDOWN` reach the service group created after the RESP server.
final class ShutdownTrigger: Sendable {
    private let group = Mutex<ServiceGroup?>(nil)

    func attach(_ serviceGroup: ServiceGroup) { group.withLock { $0 = serviceGroup } }

    func trigger() async {
        let serviceGroup = group.withLock { $0 }
        await serviceGroup?.triggerGracefulShutdown()
    }
}

import Synchronization
