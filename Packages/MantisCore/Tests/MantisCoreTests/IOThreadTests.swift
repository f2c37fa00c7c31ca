import Foundation
import MantisCore
import Synchronization
import Testing

@Suite("IOThread") struct IOThreadTests {
    @Test("jobs run in submission order, outside any task, including jobs submitted by a job")
    func runsInOrderOutsideTasks() async {
        let thread = IOThread()
        let log = Mutex<[Int]>([])
        let insideTask = Atomic<Int>(0)
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            for index in 0..<100 {
                thread.submit {
                    if withUnsafeCurrentTask(body: { $0 != nil }) { insideTask.add(1, ordering: .relaxed) }
                    log.withLock { $0.append(index) }
                }
            }
            thread.submit {
                thread.submit {
                    log.withLock { $0.append(100) }
                    done.resume()
                }
            }
        }
        #expect(log.withLock { $0 } == Array(0...100))
        #expect(insideTask.load(ordering: .relaxed) == 0, "a job ran inside a Swift task")
    }

    @Test("jobs submitted before the IOThread is released still run")
    func releasedThreadFinishesItsJobs() async {
        let ran = Atomic<Int>(0)
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            var thread: IOThread? = IOThread()
            for _ in 0..<10 { thread?.submit { ran.add(1, ordering: .relaxed) } }
            thread?.submit { done.resume() }
            thread = nil
        }
        #expect(ran.load(ordering: .relaxed) == 10)
    }

    #if os(Linux)
    @Test("the thread carries its name (what top -H shows)")
    func threadIsNamed() async throws {
        let thread = IOThread(name: "mantisdb-test-thread-long")
        let name = await withCheckedContinuation { (done: CheckedContinuation<String, Never>) in
            thread.submit {
                let text = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
                done.resume(returning: text.trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
        #expect(name == "mantisdb-test-t", "the thread is named \(name)")
    }
    #endif
}
