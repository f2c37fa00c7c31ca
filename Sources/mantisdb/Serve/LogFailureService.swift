import Foundation
import Logging
import MantisDB
import ServiceLifecycle

/// `wal.on_failure: exit`: when the log fails at runtime, logs why and exits with status 75
/// (`EX_TEMPFAIL`), so a supervisor restarts the server and recovery runs. Every acknowledged
/// write is already durable; nothing waiting on the failed log was acknowledged.
struct LogFailureService: Service {
    static let exitStatus: Int32 = 75
    let database: Database
    let logger: Logger

    func run() async throws {
        let failure: String
        do {
            failure = try await cancelWhenGracefulShutdown { try await database.logFailure() }
        } catch {
            return  // graceful shutdown (or cancelled) before any failure
        }
        logger.critical("the write-ahead log failed; exiting (wal.on_failure: exit) so a supervisor restarts the server and recovery runs",
                        metadata: ["failure": "\(failure)", "exit_status": "\(Self.exitStatus)"])
        exit(Self.exitStatus)
    }
}
