// ProcessPool, the scheduler behind `kymo sweep` and `kymo replay sweep-<id>`,
// on real child processes (/bin/sh): order, the parallel limit, exit
// statuses, logs, a failed start, and a stop that forwards one SIGINT and
// starts nothing more.

import XCTest
import TestSupport
@testable import kymo

final class ProcessPoolTests: XCTestCase {
    private func job(_ id: Int, _ script: String, in dir: String) -> ProcessPool.Job {
        ProcessPool.Job(id: id, executable: "/bin/sh", arguments: ["-c", script], log: dir + "/job-\(id).log")
    }

    private func scratch() throws -> String {
        ScratchFolders.make("pool")
    }

    func testJobsRunAtMostParallelAtOnceWithTheirStatusesAndLogs() throws {
        let dir = try scratch()
        let jobs = (0..<5).map { job($0, "echo out $0 \($0); echo err \($0) >&2; sleep 0.2; exit \($0)", in: dir) }
        var running = 0, most = 0, order: [Int] = [], statuses: [Int: Int32] = [:]
        ProcessPool(parallel: 2, shouldStop: { false }).run(jobs, started: { j, pid in
            XCTAssertGreaterThan(pid, 0)
            running += 1; most = max(most, running); order.append(j.id)
        }, failedToStart: { j, e in XCTFail("job \(j.id) did not start: \(e)") }, finished: { j, status in
            running -= 1; statuses[j.id] = status
        })
        XCTAssertEqual(order, [0, 1, 2, 3, 4], "started in the order given")
        XCTAssertEqual(most, 2, "never more than `parallel` at once")
        XCTAssertEqual(statuses, [0: 0, 1: 1, 2: 2, 3: 3, 4: 4])
        let log = try String(contentsOfFile: dir + "/job-3.log", encoding: .utf8)
        XCTAssertTrue(log.contains("err 3") && log.contains("3"), log)
    }

    func testAJobThatCannotStartIsReportedAndTheOthersRun() throws {
        let dir = try scratch()
        var failed: [Int] = [], finished: [Int: Int32] = [:]
        let bad = ProcessPool.Job(id: 0, executable: dir + "/no-such-program", arguments: [], log: dir + "/job-0.log")
        ProcessPool(parallel: 1, shouldStop: { false }).run([bad, job(1, "exit 0", in: dir)], failedToStart: { j, e in
            failed.append(j.id)
            XCTAssertTrue("\(e)".contains("no-such-program"), "\(e)")
        }, finished: { j, s in finished[j.id] = s })
        // glibc's posix_spawn reports a failed exec either at once or as exit status 127.
        XCTAssertTrue(failed == [0] || finished[0] == 127, "failed \(failed), finished \(finished)")
        XCTAssertEqual(finished[1], 0)
    }

    func testAStopForwardsOneSIGINTAndStartsNothingMore() throws {
        let dir = try scratch()
        var stop = false, started: [Int] = [], statuses: [Int: Int32] = [:]
        let jobs = [job(0, "exec sleep 30", in: dir), job(1, "exec sleep 30", in: dir), job(2, "exit 0", in: dir)]
        let t0 = Date()
        ProcessPool(parallel: 2, shouldStop: { stop }, pollInterval: 10_000).run(jobs, started: { j, _ in
            started.append(j.id)
            if started.count == 2 { stop = true }
        }, failedToStart: { j, e in XCTFail("\(j.id): \(e)") }, finished: { j, s in statuses[j.id] = s })
        XCTAssertEqual(started, [0, 1], "the third job is never started once a stop is asked")
        XCTAssertEqual(statuses, [0: 130, 1: 130], "each running child got SIGINT (128 + 2)")
        XCTAssertLessThan(Date().timeIntervalSince(t0), 20, "the children were stopped, not waited for")
    }
}
