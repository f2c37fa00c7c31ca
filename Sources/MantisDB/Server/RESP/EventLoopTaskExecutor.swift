import NIOCore

/// A task executor that runs jobs on one event loop. A task started with it as its preference
/// runs on the loop that read the command, and its continuations (after a durability wait) come
/// back to that loop: no hop through the global pool on the way in or out. Such a task holds the
/// loop for at most about one short sync: it runs with `BlockingIO.policy` `.whileFast`, so
/// while the disk is slow the log syncs on another thread.
final class EventLoopTaskExecutor: TaskExecutor {
    let loop: any EventLoop

    init(loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
