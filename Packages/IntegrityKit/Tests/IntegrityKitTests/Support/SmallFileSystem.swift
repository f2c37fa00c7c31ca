#if canImport(Glibc)
import Glibc
#endif
import MantisCore
import MantisCoreTesting

/// A real, small file system (tmpfs) mounted for a test, where the machine allows it. The
/// system calls of the test target live here.
struct SmallFileSystem {
    let path: String

    /// Whether mounting works here, and why not if it does not (probed once).
    static let probe: (available: Bool, message: String) = {
        do {
            let mount = try SmallFileSystem.mount(megabytes: 1)
            mount.unmount()
            return (true, "tmpfs mounts work here")
        } catch {
            return (false, "SKIPPED the real small-file-system variant: cannot mount a tmpfs in this sandbox (\(error)); the fault-injected ENOSPC variant still runs")
        }
    }()

    /// Mounts a tmpfs of `megabytes` MiB on a new temporary directory.
    static func mount(megabytes: Int) throws -> SmallFileSystem {
        let directory = try TemporaryDirectory.make(prefix: "mantis-smallfs")
        let result = Glibc.mount("tmpfs", directory, "tmpfs", 0, "size=\(megabytes)m,mode=0700")
        if result != 0 {
            let code = errno
            try? TemporaryDirectory.remove(directory)
            throw MantisError(.permissionDenied, "mount -t tmpfs failed: \(String(cString: strerror(code)))",
                              context: ErrorContext(operation: "mount", file: directory, errno: code))
        }
        return SmallFileSystem(path: directory)
    }

    func unmount() {
        _ = umount2(path, Int32(MNT_DETACH))
        try? TemporaryDirectory.remove(path)
    }
}
