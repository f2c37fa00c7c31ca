extension TransactionManager {
    /// Makes the durable commit `commit` visible: installs every pending commit up to it, in LSN
    /// order, together with every other durable one. They are all durable: the log is ordered,
    /// and `commit`'s durability wait has returned. When this returns `commit` is visible (the
    /// committer's next transaction reads it) and commits become visible strictly in LSN order.
    ///
    /// One committer at a time installs, for everyone: it loops until no durable commit is left
    /// pending, or until it has installed `installHandOffWrites` writes and another committer
    /// waits, which it then hands the role to. The others suspend until their commit is in,
    /// rather than block a thread on a lock (which, on a small machine, would hold back the log's
    /// own I/O thread).
    func publish(through commit: UInt64) async {
        enum Step { case visible, install, wait }
        let step = state.withLock { state -> Step in
            state.durable = max(state.durable, commit)
            if state.isInstalled(commit) { return .visible }
            if state.installing { return .wait }
            state.installing = true
            return .install
        }
        switch step {
        case .visible:
            return
        case .install:
            installDurableCommits()
        case .wait:
            let handedTheRole = await withUnsafeContinuation { (continuation: UnsafeContinuation<Bool, Never>) in
                // Checked again under the lock: the installer may have finished meanwhile.
                let visible = state.withLock { state -> Bool in
                    if state.isInstalled(commit) { return true }
                    state.publishWaiters.append((commit, continuation))
                    return false
                }
                if visible { continuation.resume(returning: false) }
            }
            if handedTheRole { installDurableCommits() }
        }
    }

    /// The installing committer's loop: installs the durable pending commits, batch by batch,
    /// resuming the committers whose commits each batch made visible; stops (and gives the
    /// role up) when none is left, or hands the role to a waiting committer once it has
    /// installed its share.
    private func installDurableCommits() {
        var installed = 0
        while true {
            let batch = state.withLock { state -> [(writes: [(key: [UInt8], value: [UInt8]?)], commit: UInt64)]? in
                let batch = state.pending(through: state.durable)
                if batch.isEmpty { state.installing = false; return nil }
                return batch
            }
            guard let batch, let last = batch.last?.commit else { return }
            store.install(commits: batch)
            installed += batch.reduce(0) { $0 + $1.writes.count }
            let (ready, next) = state.withLock { state in
                state.removePending(through: last)
                let ready = state.takeInstalledWaiters()
                // `installing` stays set: the role passes straight to `next`.
                let next = installed >= options.installHandOffWrites ? state.takeNextInstaller() : nil
                if next != nil { state.statistics.installHandOffs += 1 }
                return (ready, next)
            }
            for continuation in ready { continuation.resume(returning: false) }
            if let next {
                next.resume(returning: true)
                return
            }
        }
    }
}
