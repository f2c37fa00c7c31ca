import Synchronization
@testable import WALKit

/// Counts a log's syncs, and those that ran inside a Swift task (led by a caller on its task,
/// not by one of the log's own threads).
final class SyncCounter: Sendable {
    private let all = Atomic<Int>(0)
    private let insideTasks = Atomic<Int>(0)

    var syncs: Int { all.load(ordering: .relaxed) }
    var syncsInTasks: Int { insideTasks.load(ordering: .relaxed) }

    /// `options` with `onSync` counting here.
    func counting(_ options: SegmentedWALOptions) -> SegmentedWALOptions {
        var options = options
        options.onSync = { [self] _, _ in
            all.add(1, ordering: .relaxed)
            if withUnsafeCurrentTask(body: { $0 != nil }) { insideTasks.add(1, ordering: .relaxed) }
        }
        return options
    }

    func reset() {
        all.store(0, ordering: .relaxed)
        insideTasks.store(0, ordering: .relaxed)
    }
}
