// A sweep whose points are killed with SIGKILL mid-training, between two of
// their checkpoints (KYMO_CHECKPOINT_SECONDS makes them come every 0.2 s),
// with kymo started by bare name from the PATH as a batch script starts it:
// one point is killed while the sweep goes on (the OOM killer), another
// together with the sweep (a lost node). The same `kymo sweep` again resumes
// both from their last checkpoints under their own run ids, ends with one
// record per point carrying the uninterrupted sweep's metric bits, and
// `kymo runs compare` prints a table byte-identical to the uninterrupted
// sweep's. No step waits on time: the test polls the records for a
// checkpoint and kills the point that wrote it.
import Foundation
import XCTest
import Records
import TestSupport

final class SweepKillEndToEndTests: KymoTestCase {
    static let steps = 600
    /// About 1 s of training per point (debug build): checkpoints every 0.2 s leave room for a kill between two.
    static let notebook = """
    %% Data
    let lr = 0.01
    let data = moving_mnist(train: 24, test: 7, frames: 4, size: 32)
    %% Train
    let m = convlstm(layers: 1, hidden: 4, kernel: 3, size: 32, patch: 4, frames_in: 2, frames_out: 2)
    let h = train(m, data.train, steps: \(steps), batch: 5, lr: lr)
    %% Evaluate
    log("mse", evaluate(m, data.test).mse)
    """
    static let sweep = ["sweep", "nb.kymo", "--set", "lr=0.01,0.02", "--seeds", "1,2", "--jobs", "1", "--threads", "1"]

    /// A folder holding only a `kymo` symlink to the binary, first on the PATH.
    var bin: String!

    override func setUpWithError() throws {
        try super.setUpWithError()
        bin = dir + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: bin + "/kymo", withDestinationPath: binary)
        let digits = try KymoBinary.digitsFolder()
        for folder in ["whole", "killed"] {
            try FileManager.default.createDirectory(atPath: dir + "/" + folder, withIntermediateDirectories: true)
            try Self.notebook.write(toFile: dir + "/\(folder)/nb.kymo", atomically: true, encoding: .utf8)
            try FileManager.default.createSymbolicLink(atPath: dir + "/\(folder)/data", withDestinationPath: digits)
        }
    }

    /// The environment with `bin` first on the PATH (plus `extra`).
    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = bin + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        return env.merging(extra) { $1 }
    }

    /// `kymo ARGS` found on the PATH, run in `dir/folder` to its end.
    func kymoFromPath(_ args: [String], in folder: String) throws -> (status: Int32, out: String, err: String) {
        try KymoBinary.execute("/usr/bin/env", ["kymo"] + args, in: dir + "/" + folder, environment: environment())
    }

    func sweepID(_ out: String) throws -> String {
        let line = try XCTUnwrap(out.split(separator: "\n").last { $0.hasPrefix("sweep ") }, out)
        return String(line.dropFirst(6).prefix { $0 != ":" })
    }

    /// Waits until `complete` records of the folder are complete and a point
    /// of `sweep` (a child process of it) is training with a checkpoint in
    /// its record; that point's pid and record, or nil if the sweep ended first.
    func checkpointedPoint(of sweep: Process, runs: String, complete: Int) -> (pid: Int32, record: RunRecord)? {
        var found: (pid: Int32, record: RunRecord)?
        let store = RunStore(folder: runs)
        _ = HoldFolder.until {
            guard sweep.isRunning else { return true }
            let points = Set(KymoBinary.children(of: sweep.processIdentifier))
            let records = store.runIDs().compactMap { try? RunStore.read(recordAt: store.recordPath($0)) }
            guard records.filter({ $0.status == .complete }).count >= complete else { return false }
            guard let r = records.first(where: { $0.status == .running && !$0.checkpoints.isEmpty && points.contains($0.process?.pid ?? -1) })
            else { return false }
            found = (r.process!.pid, r)
            return true
        }
        return found
    }

    func bits(_ r: RunRecord) -> [String: String] { Dictionary(uniqueKeysWithValues: r.metrics.map { ($0.name, "\($0)") }) }

    func testPointsKilledMidTrainingAreResumedFromTheirCheckpointsToTheUninterruptedTable() throws {
        let whole = try kymoFromPath(Self.sweep, in: "whole")
        XCTAssertEqual(whole.status, 0, whole.out + whole.err)
        let id = try sweepID(whole.out)
        let expected = try kymoFromPath(["runs", "compare", id, "--by", "lr", "--runs", "runs"], in: "whole")
        XCTAssertEqual(expected.status, 0, expected.err)
        XCTAssertTrue(expected.out.contains("± "), expected.out)

        let runs = dir + "/killed/runs"
        let sweep = Process()
        sweep.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sweep.arguments = ["kymo"] + Self.sweep
        sweep.currentDirectoryURL = URL(fileURLWithPath: dir + "/killed")
        sweep.environment = environment(["KYMO_CHECKPOINT_SECONDS": "0.2"])
        FileManager.default.createFile(atPath: dir + "/sweep.out", contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/sweep.out"))
        sweep.standardOutput = out
        sweep.standardError = out
        try sweep.run()
        func said() -> String { (try? String(contentsOfFile: dir + "/sweep.out", encoding: .utf8)) ?? "" }

        // The first point is killed alone (the OOM killer); the sweep goes on.
        guard let first = checkpointedPoint(of: sweep, runs: runs, complete: 0) else {
            sweep.waitUntilExit()
            return XCTFail("no point checkpointed while the sweep ran: \(said())")
        }
        kill(first.pid, SIGKILL)
        // The second runs to its end; the third is killed together with the sweep (a node lost); the fourth never starts.
        guard let second = checkpointedPoint(of: sweep, runs: runs, complete: 1) else {
            sweep.waitUntilExit()
            return XCTFail("no second point checkpointed while the sweep ran: \(said())")
        }
        kill(sweep.processIdentifier, SIGKILL)
        kill(second.pid, SIGKILL)
        sweep.waitUntilExit()
        XCTAssertEqual(sweep.terminationReason, .uncaughtSignal, said())
        XCTAssertTrue(said().contains("interrupted (exit 137), run \(first.record.id)"), said())

        // Both were killed mid-training: interrupted records whose last checkpoint is short of the end.
        var killedAt: [String: Int] = [:]
        for point in [first, second] {
            var r = try RunStore.read(recordAt: runs + "/\(point.record.id)/record.json")
            XCTAssertTrue(HoldFolder.until { r = (try? RunStore.read(recordAt: runs + "/\(point.record.id)/record.json")) ?? r; return r.status != .running })
            XCTAssertEqual(r.status, .interrupted)
            let step = try XCTUnwrap(r.checkpoints.last?.step, "no checkpoint")
            XCTAssertLessThan(step, Self.steps, "killed after training ended")
            XCTAssertEqual(r.cells.map(\.status).first, .complete)
            killedAt[r.id] = step
        }
        let s = try SweepStore.read(at: runs + "/\(id)/sweep.json")
        XCTAssertNotEqual(s.status, "complete")
        XCTAssertEqual(s.points.map(\.status), [.interrupted, .complete, .running, .pending], "a killed point is not a failed one")

        // The same command again: both resumed from their checkpoints, under their own run ids.
        let resumed = try kymoFromPath(Self.sweep, in: "killed")
        XCTAssertEqual(resumed.status, 0, resumed.out + resumed.err)
        XCTAssertTrue(resumed.out.contains("1 already complete (seal intact; unsigned), 3 to run"), resumed.out)
        for (run, step) in killedAt {
            XCTAssertTrue(resumed.out.contains("resuming run \(run) from its checkpoint"), resumed.out)
            let r = try RunStore.read(recordAt: runs + "/\(run)/record.json")
            XCTAssertEqual(r.status, .complete)
            XCTAssertEqual(r.resumes.map(\.step), [step], "resumed from the checkpoint it was killed after")
        }
        // One record per point, each with the bits of the uninterrupted sweep's record of that point.
        let ids = RunStore(folder: runs).runIDs()
        XCTAssertEqual(ids.count, 4, "one record per point")
        let wholeStore = RunStore(folder: dir + "/whole/runs")
        let reference = try wholeStore.runIDs().map { try wholeStore.load($0).record }
        for rid in ids {
            let r = try RunStore(folder: runs).load(rid).record
            let twin = try XCTUnwrap(reference.first { $0.seed == r.seed && $0.overrides == r.overrides })
            XCTAssertTrue(bits(r) == bits(twin), "point \(r.overrides) seed \(r.seed): the metrics differ from the uninterrupted sweep's")
        }
        let table = try kymoFromPath(["runs", "compare", id, "--by", "lr", "--runs", "runs"], in: "killed")
        XCTAssertEqual(table.status, 0, table.err)
        XCTAssertEqual(table.out, expected.out)
    }
}
