/// Whether the current task may block its thread on slow I/O (an `fdatasync`).
///
/// A task that runs on an event loop (a server's connection thread) sets `allowed` to false for
/// its duration: code that would otherwise do such I/O inline (a write-ahead log leading a group
/// commit round) hands it to another thread and suspends instead, so the loop keeps serving its
/// other connections while the disk syncs. Task-local: child tasks inherit it, detached ones do not.
public enum BlockingIO {
    @TaskLocal public static var allowed = true
}
