import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MantisCore
import MantisDB

struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back up a database: a consistent checkpoint, the log after it, and a manifest with checksums.",
        discussion: "Online through a running server's admin API (--admin http://127.0.0.1:7380), or offline on a stopped data directory (--data-dir)."
    )

    @Option(help: "The backup directory to create (must not exist or be empty).") var to: String
    @Option(name: .customLong("data-dir"), help: "A stopped data directory to back up.") var dataDirectory: String?
    @Option(help: "The admin API of a running server.") var admin: String?
    @Option(help: "The admin bearer token, if the server needs one.") var token: String?
    @Option(name: .customLong("config"), help: "A configuration file (offline).") var config: String?

    func validate() throws {
        // Here rather than in run(), so a mistake shows this command's usage, not the top level's.
        guard (dataDirectory == nil) != (admin == nil) else {
            throw ValidationError("give exactly one of --data-dir DIR (offline, a stopped data directory) or --admin URL (online, a running server's admin API)")
        }
        if let admin {
            do { _ = try OnlineBackupRequest(admin: admin, to: absolute(to), token: token) } catch {
                throw ValidationError((error as? MantisError)?.message ?? "\(error)")
            }
        }
    }

    func run() async throws {
        switch (dataDirectory, admin) {
        case (let directory?, nil):
            let database = try await Database.open(try offlineOptions(directory: directory, config: config))
            do {
                let manifest = try await Backup.create(from: database, to: absolute(to), actor: "cli")
                try await database.close()
                print("backup in \(to): checkpoint LSN \(manifest.checkpointLSN), log through LSN \(manifest.lastLSN), \(manifest.files.count) files")
            } catch {
                try? await database.close()
                throw error
            }
        case (nil, let url?):
            try await online(url)
        default:
            throw ValidationError("give exactly one of --data-dir or --admin")  // validate() refused this already
        }
    }

    /// POST /admin/backup; a failure goes to stderr, explained (`OnlineBackupRequest`), exit 1.
    private func online(_ base: String) async throws {
        let call = try OnlineBackupRequest(admin: base, to: absolute(to), token: token)  // validate() checked it
        var request = URLRequest(url: call.url)
        request.httpMethod = "POST"
        for (name, value) in call.headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = call.body
        let data: Data, response: URLResponse
        do { (data, response) = try await URLSession.shared.data(for: request) } catch {
            throw toolFailure("\(call.unreachable(error))", exitCode: 1)
        }
        do {
            print(try call.result(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: data))
        } catch {
            throw toolFailure("\(error)", exitCode: 1)
        }
    }

    private func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}

struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Verify a backup completely, then copy it into a data directory (the server must be stopped)."
    )

    @Option(help: "The backup directory.") var from: String
    @Option(name: .customLong("data-dir"), help: "The data directory to restore into.") var dataDirectory: String
    @Flag(help: "Replace the contents of a non-empty data directory.") var force = false

    func run() throws {
        let report = try Restore.restore(from: from, to: dataDirectory, force: force)
        print("restored \(report.filesCopied) files (\(report.bytesCopied) bytes) into \(dataDirectory): checkpoint LSN \(report.manifest.checkpointLSN), log through LSN \(report.manifest.lastLSN)")
        print("start the server on it; recovery replays the log after the checkpoint")
    }
}
