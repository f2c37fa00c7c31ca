import ArgumentParser
import Foundation
import MantisDB

struct ConfigInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write the default configuration: every key with its default, type and allowed values in comments."
    )

    @Argument(help: "Where to write it; omitted or '-': standard output.")
    var file: String?

    @Flag(help: "Replace FILE if it exists.")
    var force = false

    func run() throws {
        let text = MantisConfiguration.defaultFileText(registry: .executable)
        guard let file, file != "-" else {
            print(text, terminator: "")
            return
        }
        if FileManager.default.fileExists(atPath: file), !force {
            printError("mantisdb: \(file) exists; not overwriting it (use --force to replace it)")
            throw ExitCode(1)
        }
        let parent = (file as NSString).deletingLastPathComponent
        if !parent.isEmpty {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory)
            if !exists || !isDirectory.boolValue {
                printError("mantisdb: cannot write \(file): \(parent) \(exists ? "is not a directory" : "does not exist")")
                throw ExitCode(1)
            }
        }
        do {
            try text.write(toFile: file, atomically: true, encoding: .utf8)
        } catch {
            printError("mantisdb: cannot write \(file): \(error.localizedDescription)")
            throw ExitCode(1)
        }
        printError("wrote the default configuration to \(file)")
    }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
