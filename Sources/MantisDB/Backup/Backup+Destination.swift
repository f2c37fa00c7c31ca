import Foundation
import MantisCore

extension Backup {
    /// Why `destination` cannot hold a backup of the database in `dataDirectory`, or nil: one
    /// inside the other (a backup into the live directory would be swept up by its own copy, or
    /// taken for the database's files). Paths are compared absolute, with `.`/`..` and symbolic
    /// links of the existing part resolved.
    static func destinationProblem(_ destination: String, dataDirectory: String) -> String? {
        let target = resolved(destination), source = resolved(dataDirectory)
        func isInside(_ path: String, _ directory: String) -> Bool { path == directory || path.hasPrefix(directory + "/") }
        if isInside(target, source) { return "it is inside the data directory \(dataDirectory)" }
        if isInside(source, target) { return "it contains the data directory \(dataDirectory)" }
        return nil
    }

    /// `path` absolute and standardized; the longest existing ancestor's symbolic links resolved.
    private static func resolved(_ path: String) -> String {
        var url = URL(fileURLWithPath: path).standardizedFileURL
        var missing: [String] = []
        while !FileManager.default.fileExists(atPath: url.path), url.path != "/" {
            missing.insert(url.lastPathComponent, at: 0)
            url.deleteLastPathComponent()
        }
        var result = url.resolvingSymlinksInPath().path
        for component in missing { result = (result as NSString).appendingPathComponent(component) }
        return result
    }
}
