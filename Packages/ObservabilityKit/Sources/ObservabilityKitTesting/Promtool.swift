import Foundation

/// `promtool check metrics` on an exposition. promtool comes from Debian's `prometheus` package:
/// without it the check fails, saying how to install it.
public enum Promtool {
    public static let installHint = "promtool is missing: install it with `apt-get install -y prometheus` (Debian/Ubuntu package `prometheus`, which provides /usr/bin/promtool)"

    public static var path: String? {
        let candidates = ["/usr/bin/promtool", "/usr/local/bin/promtool", "/bin/promtool"]
            + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/promtool" }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// promtool's exit status and output for `text` on its standard input.
    public static func check(_ text: String) throws -> (status: Int32, output: String) {
        guard let path else { throw PromtoolMissing() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["check", "metrics"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    public struct PromtoolMissing: Error, CustomStringConvertible {
        public var description: String { Promtool.installHint }
    }
}
