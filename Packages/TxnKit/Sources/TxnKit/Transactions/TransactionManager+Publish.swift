extension TransactionManager {
    /// Makes the durable commit `commit` visible: installs every pending commit up to it, in LSN
    /// order, together with every other durable one. They are all durable: the log is ordered,
    /// and `commit`'s durability wait has returned. When this returns `commit` is visible (the
    /// committer's next transaction reads it) and commits become visible strictly in LSN order.
    ///
    /// One committer at a time installs, for everyone: it loops until no durable commit is left
    /// pending. The others suspend until their commit is in, rather than block a thread on a
    /// lock (which, on a small machine, would hold back the log's own I/O thread).
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
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
                // Checked again under the lock: the installer may have finished meanwhile.
                let visible = state.withLock { state -> Bool in
                    if state.isInstalled(commit) { return true }
                    state.publishWaiters.append((commit, continuation))
                    return false
                }
                if visible { continuation.resume() }
            }
        }
    }

    /// The installing committer's loop: installs the durable pending commits, batch by batch,
    /// resuming the committers whose commits each batch made visible; stops (and hands the
    /// role back) when none is left.
    private func installDurableCommits() {
        while true {
            let batch = state.withLock { state -> [(writes: [(key: [UInt8], value: [UInt8]?)], commit: UInt64)]? in
                let batch = state.pending(through: state.durable)
                if batch.isEmpty { state.installing = false; return nil }
                return batch
            }
            guard let batch, let last = batch.last?.commit else { return }
            store.install(commits: batch)
            let ready = state.withLock { state in
                state.removePending(through: last)
                return state.takeInstalledWaiters()
            }
            for continuation in ready { continuation.resume() }
        }
    }
}
