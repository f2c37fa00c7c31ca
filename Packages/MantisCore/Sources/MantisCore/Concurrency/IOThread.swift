#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One OS thread, outside Swift's cooperative pool, that runs submitted jobs in order: for work
/// that blocks its thread on the disk (an `fdatasync`), which would otherwise take one of the
/// pool's few threads (as many as cores) away from every other task for as long as it lasts.
///
/// The thread starts with the first job and parks between jobs. It holds no reference to the
/// `IOThread` while parked; when the `IOThread` is released it finishes the jobs already
/// submitted and exits (it is detached, so nothing waits for it).
public final class IOThread: Sendable {
    private let shared: Shared

    /// `name` (at most 15 bytes kept on Linux) is what `top -H` and `ps -L` show for the thread.
    public init(name: String = "mantisdb-io") {
        shared = Shared(name: name)
    }

    deinit {
        shared.stop()
    }

    /// Queues `job` to run on the thread after the jobs before it.
    public func submit(_ job: @escaping @Sendable () -> Void) {
        shared.submit(job)
    }

    /// The queue and the parking place, shared by the owner and the thread (which retains it).
    private final class Shared: @unchecked Sendable {
        let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
        // Guarded by `mutex`.
        var jobs: [@Sendable () -> Void] = []
        var started = false
        var stopping = false
        let name: String

        init(name: String) {
            self.name = name
            pthread_mutex_init(mutex, nil)
            pthread_cond_init(condition, nil)
        }

        deinit {
            pthread_cond_destroy(condition)
            pthread_mutex_destroy(mutex)
            mutex.deallocate()
            condition.deallocate()
        }

        func submit(_ job: @escaping @Sendable () -> Void) {
            pthread_mutex_lock(mutex)
            jobs.append(job)
            let start = !started
            started = true
            pthread_mutex_unlock(mutex)
            // Signalled after the unlock, so the woken thread does not block on the mutex.
            if start { startThread() } else { pthread_cond_signal(condition) }
        }

        func stop() {
            pthread_mutex_lock(mutex)
            stopping = true
            pthread_mutex_unlock(mutex)
            pthread_cond_signal(condition)
        }

        private func startThread() {
            var attributes = pthread_attr_t()
            pthread_attr_init(&attributes)
            pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
            defer { pthread_attr_destroy(&attributes) }
            let context = Unmanaged.passRetained(self).toOpaque()
            #if canImport(Glibc)
            var thread = pthread_t()
            #else
            var thread: pthread_t?
            #endif
            let result = pthread_create(&thread, &attributes, { context in
                let shared = Unmanaged<Shared>.fromOpaque(context!).takeRetainedValue()
                shared.run()
                return nil
            }, context)
            if result != 0 {
                // No thread: run the jobs inline rather than lose them (they only block).
                Unmanaged<Shared>.fromOpaque(context).release()
                pthread_mutex_lock(mutex)
                let pending = jobs
                jobs = []
                started = false
                pthread_mutex_unlock(mutex)
                for job in pending { job() }
            }
        }

        private func run() {
            Self.nameCurrentThread(name)
            while true {
                pthread_mutex_lock(mutex)
                while jobs.isEmpty && !stopping { pthread_cond_wait(condition, mutex) }
                if jobs.isEmpty {  // stopping, and nothing left to run
                    pthread_mutex_unlock(mutex)
                    return
                }
                let job = jobs.removeFirst()
                pthread_mutex_unlock(mutex)
                job()
            }
        }

        private static func nameCurrentThread(_ name: String) {
            #if os(Linux)
            let fd = open("/proc/thread-self/comm", O_WRONLY)
            guard fd >= 0 else { return }
            let bytes = Array(name.utf8.prefix(15))
            _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
            #elseif canImport(Darwin)
            pthread_setname_np(name)
            #endif
        }
    }
}
