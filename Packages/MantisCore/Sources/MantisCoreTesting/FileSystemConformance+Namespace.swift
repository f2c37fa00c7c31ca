import MantisCore

extension ConformanceRunner {
    func checkRename() throws {
        let check = "rename replacing the destination"
        try attempt(check) {
            try makeFile("rename-source", [1, 1])
            try makeFile("rename-destination", [2, 2, 2])
            try fs.rename(path("rename-source"), to: path("rename-destination"))
            try expect(check, !fs.fileExists(path("rename-source")), "the source still exists")
            try expect(check, try contents("rename-destination") == [1, 1], "the destination does not have the source's bytes")
            try fs.rename(path("rename-destination"), to: path("rename-moved"))
            try expect(check, try contents("rename-moved") == [1, 1], "a rename to a new name lost the bytes")
        }
        try expectError(check + " (missing source)", .notFound) {
            try fs.rename(path("rename-missing"), to: path("rename-other"))
        }
    }

    func checkRemove() throws {
        let check = "remove"
        try attempt(check) {
            try makeFile("removed", [1])
            try fs.removeItem(path("removed"))
            try expect(check, try fs.fileType(path("removed")) == nil, "a removed file still exists")
            try fs.createDirectory(path("empty-directory"))
            try fs.removeItem(path("empty-directory"))
            try expect(check, !fs.fileExists(path("empty-directory")), "a removed directory still exists")
            try fs.createDirectory(path("full-directory"))
            try makeFile("full-directory/file", [1])
            var refused = false
            do { try fs.removeItem(path("full-directory")) } catch { refused = true }
            try expect(check, refused, "a non-empty directory was removed")
        }
        try expectError(check + " (missing file)", .notFound, file: path("removed")) {
            try fs.removeItem(path("removed"))
        }
    }

    func checkListing() throws {
        let check = "directory listing sorted"
        try attempt(check) {
            try fs.createDirectory(path("listing"))
            for name in ["delta", "alpha", "charlie", "bravo"] { try makeFile("listing/" + name, []) }
            try fs.createDirectory(path("listing/echo"))
            let names = try fs.contentsOfDirectory(path("listing"))
            try expect(check, names == ["alpha", "bravo", "charlie", "delta", "echo"], "listing is \(names)")
            try expect(check, try fs.contentsOfDirectory(path("listing/echo")).isEmpty, "a new directory is not empty")
        }
        try expectError(check + " (missing directory)", .notFound) {
            _ = try fs.contentsOfDirectory(path("no-such-directory"))
        }
    }

    func checkFileTypes() throws {
        let check = "fileType"
        try attempt(check) {
            try makeFile("typed", [1, 2, 3, 4, 5])
            let type = try fs.fileType(path("typed"))
            try expect(check, type == .regular(size: 5), "a 5-byte file is \(String(describing: type))")
            try expect(check, try fs.fileType(root) == .directory, "the scratch directory is not a directory")
            try expect(check, try fs.fileType(path("no-such-file")) == nil, "a missing file has a type")
            try expect(check, try fs.fileSize(path("typed")) == 5, "fileSize is wrong")
        }
    }

    func checkDirectories() throws {
        let check = "createDirectory"
        try attempt(check) {
            try fs.createDirectory(path("nested/deeper/deepest"))
            try fs.createDirectory(path("nested/deeper/deepest"))
            for name in ["nested", "nested/deeper", "nested/deeper/deepest"] {
                try expect(check, fs.isDirectory(path(name)), "\(name) is not a directory")
            }
            try makeFile("plain", [1])
        }
        try expectError(check + " (over an existing file)", .alreadyExists) {
            try fs.createDirectory(path("plain"))
        }
    }

    func checkDiskSpace() throws {
        let check = "diskSpace"
        let space = try attempt(check) { try fs.diskSpace(root) }
        try expect(check, space.total > 0, "total is \(space.total)")
        try expect(check, space.available >= 0 && space.available <= space.total, "available \(space.available) of \(space.total)")
    }

    func checkAtomicReplace() throws {
        let check = "writeFileAtomically"
        try attempt(check) {
            try fs.writeFileAtomically(path("atomic"), contents: [1, 2])
            try fs.writeFileAtomically(path("atomic"), contents: [3, 4, 5])
            try expect(check, try contents("atomic") == [3, 4, 5], "the replaced content is wrong")
            try expect(check, !fs.fileExists(path("atomic.tmp")), "the temporary file is left behind")
        }
    }
}
