import MantisCore
import MantisCoreTesting
import Testing

@Suite struct FileCopyTests {
    @Test("copyFile copies the bytes (or the first `limit`), durably under the new name, with no temporary file left")
    func copies() throws {
        let directory = try TemporaryDirectory.make(prefix: "file-copy")
        defer { try? TemporaryDirectory.remove(directory) }
        let fs = PosixFileSystem()
        let bytes = (0..<(3 << 20) + 17).map { UInt8(truncatingIfNeeded: $0 * 31) }
        try fs.writeFileAtomically(directory + "/source", contents: bytes)
        #expect(try fs.copyFile(directory + "/source", to: directory + "/whole") == Int64(bytes.count))
        #expect(try fs.readFile(directory + "/whole") == bytes)
        #expect(try fs.copyFile(directory + "/source", to: directory + "/prefix", limit: 1_000) == 1_000)
        #expect(try fs.readFile(directory + "/prefix") == Array(bytes.prefix(1_000)))
        #expect(try fs.contentsOfDirectory(directory).sorted() == ["prefix", "source", "whole"])
    }

    @Test("a failed copy leaves neither the destination nor its temporary file")
    func failedCopy() throws {
        let fs = FaultInjectingFileSystem(seed: 5)
        try fs.createDirectory("/d")
        try fs.writeFileAtomically("/d/source", contents: [UInt8](repeating: 9, count: 3 << 20))
        fs.inject(FaultRule([.write], .enospc, trigger: .nth(2), pathContains: "/d/copy"))
        #expect(throws: MantisError.self) { try fs.copyFile("/d/source", to: "/d/copy") }
        #expect(try fs.contentsOfDirectory("/d") == ["source"])
    }
}
