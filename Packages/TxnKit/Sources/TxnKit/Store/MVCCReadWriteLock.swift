#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A reader-writer lock (pthread_rwlock) for the MVCC store: any number of readers, or one writer.
///
/// On Linux it prefers writers (`PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP`), so a steady
/// stream of readers cannot starve an install; a waiting writer holds back new readers only for
/// the short critical sections the store allows itself. Not recursive: a thread must not take
/// the lock again while holding it (the store never does, and calls no user code under it).
final class MVCCReadWriteLock: @unchecked Sendable {
    // @unchecked: the pthread lock is made for sharing between threads; its address is stable
    // (heap-allocated once, freed in deinit).
    private let handle: UnsafeMutablePointer<pthread_rwlock_t>

    init() {
        handle = .allocate(capacity: 1)
        handle.initialize(to: pthread_rwlock_t())
        var attributes = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attributes)
        #if canImport(Glibc)
        pthread_rwlockattr_setkind_np(&attributes, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        #endif
        let status = pthread_rwlock_init(handle, &attributes)
        pthread_rwlockattr_destroy(&attributes)
        precondition(status == 0, "pthread_rwlock_init failed: \(status)")
    }

    deinit {
        pthread_rwlock_destroy(handle)
        handle.deinitialize(count: 1)
        handle.deallocate()
    }

    /// Runs `body` holding the lock shared.
    @inline(__always)
    func withReadLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_rdlock(handle)
        defer { pthread_rwlock_unlock(handle) }
        return try body()
    }

    /// Runs `body` holding the lock exclusively.
    @inline(__always)
    func withWriteLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_wrlock(handle)
        defer { pthread_rwlock_unlock(handle) }
        return try body()
    }
}
