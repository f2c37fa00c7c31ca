import MantisCore
import MantisCoreTesting
import Testing

@Suite struct OperationCountTests {
    @Test func everyCallCountsAsOneOperationOfItsKind() throws {
        let fs = FaultInjectingFileSystem(seed: 1)
        try fs.createDirectory("/db")
        let file = try fs.openFile("/db/a", options: .createNew)  // open 1
        try file.write([1, 2, 3], at: 0)  // write 1
        _ = try file.read(count: 3, at: 0)  // read 1
        try file.sync()  // sync 1
        try file.syncData()  // sync 2
        try file.truncate(to: 1)  // truncate 1
        try file.preallocate(100)  // preallocate 1
        _ = try file.size()
        try fs.syncDirectory("/db")  // directorySync 1
        _ = try fs.contentsOfDirectory("/db")  // list 1
        try fs.rename("/db/a", to: "/db/b")  // rename 1
        _ = mantisError { _ = try fs.openFile("/db/missing", options: .readOnly) }  // open 2 (failed)
        try file.close()
        _ = mantisError { try file.write([1], at: 0) }  // write 2 (failed: closed)
        try fs.removeItem("/db/b")  // remove 1
        let expected: [FaultOperation: Int] = [
            .open: 2, .read: 1, .write: 2, .sync: 2, .directorySync: 1, .rename: 1, .remove: 1,
            .truncate: 1, .preallocate: 1, .list: 1,
        ]
        for operation in FaultOperation.allCases {
            #expect(fs.operationCount(operation) == expected[operation], "\(operation)")
        }
    }

    @Test func createdFilesFollowOpenSemantics() throws {
        let fs = FaultInjectingFileSystem(seed: 2)
        try fs.createDirectory("/db")
        _ = try fs.openFile("/db/a", options: .createNew)
        let exists = mantisError { _ = try fs.openFile("/db/a", options: .createNew) }
        #expect(exists?.code == .alreadyExists)
        #expect(exists?.context.errno == 17)
        let missing = mantisError { _ = try fs.openFile("/db/b", options: .readWrite) }
        #expect(missing?.code == .notFound)
        #expect(missing?.context.file == "/db/b")
        let readOnly = try fs.openFile("/db/a", options: .readOnly)
        #expect(mantisError { try readOnly.write([1], at: 0) }?.code == .ioError)
        #expect(mantisError { _ = try fs.openFile("/db", options: .readOnly) }?.code == .ioError)
    }
}
