#if canImport(Glibc)
import Glibc
#endif

/// Transparent huge pages for the process's heap, on by default.
///
/// The store keeps every key in memory; with 4 KiB pages a point read of a large store waits on
/// page-table walks besides its two cache misses. glibc backs its heap with huge pages when
/// started with the tunable `glibc.malloc.hugetlb=1` (it then `madvise`s what it maps), and a
/// tunable is read only at process start: so `enableByReexecuting`, called first thing in
/// `main` (the `mantisdb` executable does; an embedding program may), sets it and re-executes
/// the process, once. `MANTISDB_HUGE_PAGES=off` keeps 4 KiB pages; a `GLIBC_TUNABLES` that
/// already names `glibc.malloc.hugetlb` is left as it is.
public enum HugePages {
    public static let tunable = "glibc.malloc.hugetlb"
    /// The environment variable that opts out (`off`, `0`, `false`, `no`). Read by the process,
    /// not a configuration setting: the configuration loader lets it through.
    public static let optOutVariable = "MANTISDB_HUGE_PAGES"
    /// Grows the heap in steps large enough to be backed by 2 MiB pages.
    static let topPad = "glibc.malloc.top_pad"

    /// Whether this process's heap asks for huge pages (the tunable is set to 1 or 2).
    public static var isEnabled: Bool {
        #if canImport(Glibc)
        return isEnabled(tunables: environment("GLIBC_TUNABLES"))
        #else
        return false
        #endif
    }

    static func isEnabled(tunables: String?) -> Bool {
        (tunables ?? "").split(separator: ":").contains { $0 == "\(tunable)=1" || $0 == "\(tunable)=2" }
    }

    /// Re-executes the process with the tunable set, when it should; returns if it should not
    /// (or if the exec fails, which leaves the process as it was).
    public static func enableByReexecuting() {
        #if canImport(Glibc)
        let tunables = environment("GLIBC_TUNABLES")
        guard shouldReexecute(
            optOut: environment(optOutVariable), tunables: tunables,
            transparentHugePages: contents(of: "/sys/kernel/mm/transparent_hugepage/enabled")
        ) else { return }
        guard setenv("GLIBC_TUNABLES", setting(adding: tunables), 1) == 0 else { return }
        // The binary by its real path, so the process keeps its name (`ps`, `top`, `pgrep
        // mantisdb` read the name of the file executed: through /proc/self/exe it is "exe").
        if let path = executablePath() { execv(path, CommandLine.unsafeArgv) }
        // The file was replaced or deleted since the start: the running image, by its link.
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // Still here: the exec failed; carry on with 4 KiB pages.
        if let tunables { setenv("GLIBC_TUNABLES", tunables, 1) } else { unsetenv("GLIBC_TUNABLES") }
        #endif
    }

    /// The decision, apart from the process: not opted out, the tunable not already given, and
    /// the kernel's transparent huge pages not switched off (`[never]`).
    public static func shouldReexecute(optOut: String?, tunables: String?, transparentHugePages: String?) -> Bool {
        if let optOut, ["off", "0", "false", "no"].contains(optOut.lowercased()) { return false }
        if let tunables, tunables.contains(tunable) { return false }
        guard let transparentHugePages else { return false }  // no THP support: nothing to gain
        return !transparentHugePages.contains("[never]")
    }

    /// `tunables` with huge pages for the heap added (and a 64 MiB top pad, unless given).
    public static func setting(adding tunables: String?) -> String {
        var parts = (tunables ?? "").split(separator: ":").map(String.init)
        parts.append("\(tunable)=1")
        if !parts.contains(where: { $0.hasPrefix(topPad + "=") }) { parts.append("\(topPad)=67108864") }
        return parts.joined(separator: ":")
    }

    /// Where /proc/self/exe points, if that file still exists.
    static func executablePath() -> String? {
        #if canImport(Glibc)
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        let path = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return access(path, X_OK) == 0 ? path : nil
        #else
        return nil
        #endif
    }

    private static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    private static func contents(of path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 256)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else { return nil }
        return String(cString: buffer)
    }
}
