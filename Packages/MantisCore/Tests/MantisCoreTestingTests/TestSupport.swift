import MantisCore
import MantisCoreTesting
import Testing

/// `count` bytes all equal to `byte`.
func bytes(_ byte: UInt8, _ count: Int) -> [UInt8] {
    [UInt8](repeating: byte, count: count)
}

/// Creates `path` with `content`, fsyncs it and its directory: fully durable.
func makeDurableFile(_ fs: any FileSystem, _ path: String, _ content: [UInt8]) throws {
    let file = try fs.openFile(path, options: [.write, .create, .truncate])
    try file.write(content, at: 0)
    try file.sync()
    try file.close()
    try fs.syncDirectory(Path.directory(of: path))
}

/// The `MantisError` thrown by `body`, recorded as an issue if it throws nothing or something else.
func mantisError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> MantisError? {
    #expect(throws: MantisError.self, sourceLocation: sourceLocation) { try body() }
}

/// Number of bits that differ between two equally long byte arrays.
func bitDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
    zip(a, b).reduce(0) { $0 + ($1.0 ^ $1.1).nonzeroBitCount }
}
