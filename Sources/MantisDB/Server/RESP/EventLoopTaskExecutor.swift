import NIOCore

/// A task executor that runs jobs on one event loop. A task started with it as its preference
/// runs on the loop that read the command, and its continuations (after a durability wait) come
/// back to that loop: no hop through the global pool on the way in or out. Such a task must not
/// block the loop: it runs with `BlockingIO.allowed` false, so the log syncs on another thread.
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
