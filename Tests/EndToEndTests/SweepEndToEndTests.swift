// Sweeps end to end through the built `kymo`: a 2 × 3 sweep of a tiny
// notebook gives 6 complete records and a sweep record naming them, and
// `runs compare` prints mean ± sd over the seeds (the numbers recomputed here
// from the records); running it again verifies and skips every point; a
// sweep interrupted with SIGINT mid-way keeps its finished points and a valid
// sweep record, and resumes to the same table as an uninterrupted sweep, as
// does one killed with SIGKILL (sweep and running point) mid-way; the
// `--slurm` script's array tasks (run here by hand with SLURM_ARRAY_TASK_ID)
// produce records the sweep then verifies.
import Foundation
import XCTest
import Records
import TestSupport

final class SweepEndToEndTests: KymoTestCase {
    /// Logs a function of its knobs and one randn draw: seconds per point.
    static let tiny = """
    %% Knobs
    let a = 1
    let b = 0.5
    %% Draw
    let x = randn([4]).sum().item()
    log("y", a * 10 + b + x)
    log("ab", a * b)
    print("y", a * 10 + b + x)
    """

    /// About a second per point, so a sweep can be interrupted between points.
    static let slow = """
    %% Knobs
    let a = 1
    %% Work
    var w = randn([128, 128]) * 0.1
    let m = randn([128, 128])
    for step in 0..<200 {
      w = tanh(matmul(w, m) * 0.1 + w)
    }
    log("w", (w * w).mean().item() * a)
    """

    func start(_ args: [String], in folder: String? = nil, environment: [String: String]? = nil, executable: String? = nil) throws -> (Process, Pipe, Pipe) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable ?? binary)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: folder ?? dir)
        if let environment { p.environment = environment }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        return (p, out, err)
    }

    func sweepID(_ out: String) throws -> String {
        let line = try XCTUnwrap(out.split(separator: "\n").last { $0.hasPrefix("sweep ") }, out)
        return String(line.dropFirst(6).prefix { $0 != ":" })
    }

    func testTwoByThreeSweepGivesSixRecordsAndACompareTable() throws {
        try Self.tiny.write(toFile: dir + "/nb.kymo", atomically: true, encoding: .utf8)
        let r = try kymo(["sweep", "nb.kymo", "--set", "a=1,2", "--seeds", "1,2,3", "--jobs", "2", "--threads", "1"])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        let id = try sweepID(r.out)
        XCTAssertTrue(id.hasPrefix("sweep-"), r.out)
        XCTAssertTrue(r.out.contains("sweep \(id): complete, 6/6 points complete"), r.out)
        let store = RunStore(folder: dir + "/runs")
        XCTAssertEqual(store.runIDs().count, 6)
        let sweep = try SweepStore.read(at: dir + "/runs/\(id)/sweep.json")
        XCTAssertEqual(sweep.status, "complete")
        XCTAssertEqual(sweep.axes, [SweepAxis(key: "a", values: ["1", "2"])])
        XCTAssertEqual(sweep.seeds, [1, 2, 3])
        XCTAssertEqual(sweep.points.count, 6)
        var ys: [String: [Double]] = [:]
        for p in sweep.points {
            XCTAssertEqual(p.status, .complete)
            let rec = try RunStore.read(recordAt: store.recordPath(try XCTUnwrap(p.run)))
            XCTAssertEqual(rec.status, .complete)
            XCTAssertEqual(rec.seed, p.seed)
            XCTAssertEqual(rec.overrides, p.overrides)
            XCTAssertEqual(rec.notebook.sha256, sweep.notebook.sha256)
            XCTAssertEqual(rec.environment.threads, 1)
            ys[p.overrides[0].value, default: []].append(try XCTUnwrap(rec.series(named: "y")).values.double(at: 0))
        }
        // Different seeds draw differently.
        XCTAssertEqual(Set(ys["1"]!).count, 3)

        let c = try kymo(["runs", "compare", id, "--runs", "runs"])
        XCTAssertEqual(c.status, 0, c.err)
        XCTAssertTrue(c.out.contains("mean ± sd (sample, n−1)"), c.out)
        XCTAssertTrue(c.out.contains("6 complete runs, 2 configurations"), c.out)
        for a in ["1", "2"] {
            let s = Statistics.summary(ys[a]!)
            let ci = try XCTUnwrap(s.interval)
            let cell = "\(RunComparison.short(s.mean)) ± \(RunComparison.short(s.sd!))"
            let line = try XCTUnwrap(c.out.split(separator: "\n").first { $0.contains(cell) }, "\(cell) in \(c.out)")
            XCTAssertTrue(line.contains("[\(RunComparison.short(ci.low)), \(RunComparison.short(ci.high))]"), String(line))
            XCTAssertTrue(line.contains(" 3 "), String(line))
        }
        let by = try kymo(["runs", "compare", id, "--by", "a", "--runs", "runs"])
        XCTAssertEqual(by.status, 0, by.err)
        // Both groups ran seeds 1, 2, 3 (the same draws of x): the paired test on per-seed differences.
        XCTAssertTrue(by.out.contains("paired t-test on per-seed differences"), by.out)
        let bySeed = { (a: String) in sweep.points.filter { $0.overrides[0].value == a }.sorted { $0.seed < $1.seed }.map(\.index) }
        XCTAssertEqual(bySeed("1").map { sweep.points[$0].seed }, [1, 2, 3])
        let w = try XCTUnwrap(Statistics.paired(ys["1"]!, ys["2"]!))
        XCTAssertTrue(by.out.contains(RunComparison.short(w.difference)), by.out)
        let csv = try kymo(["runs", "compare", id, "--csv", "--runs", "runs"])
        XCTAssertEqual(csv.out.split(separator: "\n").first, "a,metric,n,mean,sd,low,high,min,max,seeds,runs,identical")
        let json = try kymo(["runs", "compare", id, "--json", "--by", "a", "--runs", "runs"])
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        XCTAssertEqual((doc["configurations"] as? [Any])?.count, 2)

        // A notebook over the sweep: load_sweep's points, each point's record an input of the run, which replays identical.
        let over = """
        let points = load_sweep("\(id)", runs: "runs")
        var total = 0.0
        for p in points { total = total + p.metrics.y }
        print(len(points), keys(points[0].seconds), format(total, ".6f"))
        """
        try over.write(toFile: dir + "/over.kymo", atomically: true, encoding: .utf8)
        let o = try kymo(["run", "over.kymo", "--runs", "over-runs"])
        XCTAssertEqual(o.status, 0, o.out + o.err)
        let total = ys.values.joined().reduce(0, +)
        XCTAssertTrue(o.out.contains("6 [\"Knobs\", \"Draw\"] \(String(format: "%.6f", total))"), o.out)
        let overStore = RunStore(folder: dir + "/over-runs")
        let overID = try XCTUnwrap(overStore.runIDs().first)
        let inputs = try XCTUnwrap(overStore.load(overID).record.inputs)
        XCTAssertEqual(inputs.filter { $0.kind == "record" }.map(\.name).sorted(),
                       sweep.points.map { "runs/" + $0.run! + "/record.json" }.sorted())
        XCTAssertEqual(inputs.filter { $0.kind == "sweep" }.map(\.name), ["runs/\(id)/sweep.json"])
        let replay = try kymo(["replay", overID, "--runs", "over-runs"])
        XCTAssertEqual(replay.status, 0, replay.out + replay.err)
        XCTAssertEqual(replay.out.split(separator: "\n").first, "identical", replay.out + replay.err)

        // The same sweep again: every point verified and skipped.
        let again = try kymo(["sweep", "nb.kymo", "--set", "a=1,2", "--seeds", "1,2,3", "--threads", "1"])
        XCTAssertEqual(again.status, 0, again.out + again.err)
        XCTAssertTrue(again.out.contains("6 already complete (seal intact; unsigned), 0 to run"), again.out)
        XCTAssertEqual(store.runIDs().count, 6)
        // A record edited by hand is not taken as a finished point.
        let victim = store.recordPath(sweep.points[0].run!)
        let text = try String(contentsOfFile: victim, encoding: .utf8)
        try text.replacingOccurrences(of: "\"seed\" : 1", with: "\"seed\" : 9").write(toFile: victim, atomically: true, encoding: .utf8)
        // … and the notebook over the sweep, replayed now, names that input.
        let stale = try kymo(["replay", overID, "--runs", "over-runs"])
        XCTAssertNotEqual(stale.status, 0, stale.out)
        XCTAssertTrue((stale.out + stale.err).contains("input changed before the replay: ") && (stale.out + stale.err).contains(sweep.points[0].run!),
                      stale.out + stale.err)
        let third = try kymo(["sweep", "nb.kymo", "--set", "a=1,2", "--seeds", "1,2,3", "--threads", "1"])
        XCTAssertEqual(third.status, 0, third.out + third.err)
        XCTAssertTrue(third.out.contains("5 already complete (seal intact; unsigned), 1 to run"), third.out)

        // Too many threads for the cores is refused.
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let refused = try kymo(["sweep", "nb.kymo", "--set", "a=1,2", "--jobs", "\(cores)", "--threads", "2"])
        XCTAssertEqual(refused.status, 2, refused.out + refused.err)
        XCTAssertTrue(refused.err.contains("threads on \(cores) cores"), refused.err)
    }

    /// The 2 × 2 sweep of `slow` that the interruption tests stop part-way.
    static let slowSweep = ["sweep", "nb.kymo", "--set", "a=1,3", "--seeds", "5,6", "--jobs", "1", "--threads", "1"]

    /// Runs the sweep `args` of `slow` uninterrupted in a folder of its own;
    /// its id and its `runs compare --by a` output, the table a resumed sweep must give.
    func uninterruptedTable(_ args: [String]) throws -> (id: String, table: (status: Int32, out: String, err: String)) {
        let whole = dir + "/whole"
        try FileManager.default.createDirectory(atPath: whole, withIntermediateDirectories: true)
        try Self.slow.write(toFile: whole + "/nb.kymo", atomically: true, encoding: .utf8)
        let w = try kymo(args, in: whole)
        XCTAssertEqual(w.status, 0, w.out + w.err)
        let id = try sweepID(w.out)
        let expected = try kymo(["runs", "compare", id, "--by", "a", "--runs", "runs"], in: whole)
        XCTAssertEqual(expected.status, 0, expected.err)
        return (id, expected)
    }

    /// Waits, with every point holding once its first cell is recorded
    /// (StepHold, `hold`), until a point is complete and another holds
    /// mid-run: the first point to hold is released, the next one to hold
    /// is the running point. Returns what `act` does with that point's pid
    /// there, or nil when that moment never came (the sweep ended).
    func whenAPointIsDoneAndOneRuns(_ p: Process, _ hold: HoldFolder, _ act: (Int32) -> Bool) -> Bool? {
        let first = hold.wait(for: 1) { p.isRunning }
        guard let done = first.keys.first else { return nil }
        hold.release(done)
        let second = hold.wait(for: 1, excluding: [done]) { p.isRunning }
        guard let running = second.keys.first else { return nil }
        return act(running)
    }

    func testInterruptedSweepResumesToTheSameTable() throws {
        let args = Self.slowSweep
        let (id, expected) = try uninterruptedTable(args)
        try Self.slow.write(toFile: dir + "/nb.kymo", atomically: true, encoding: .utf8)
        let hold = try HoldFolder(dir + "/hold", afterCells: 1)
        let (p, out, _) = try start(args, environment: hold.environment)
        // Interrupt once the first point is complete and the second holds mid-run.
        let sweepPath = dir + "/runs/\(id)/sweep.json"
        let interrupted = whenAPointIsDoneAndOneRuns(p, hold) { _ in
            let s = try? SweepStore.read(at: sweepPath)
            XCTAssertEqual(s?.completeCount, 1)
            XCTAssertEqual(s?.points.filter { $0.status == .running }.count, 1)
            kill(p.processIdentifier, SIGINT)
            return true
        }
        let o = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(interrupted, true, "the sweep ended before a point was complete: \(o)")
        XCTAssertEqual(p.terminationStatus, 130, o)
        let s = try SweepStore.read(at: sweepPath)
        XCTAssertEqual(s.status, "incomplete")
        XCTAssertEqual(s.completeCount, 1, o)
        for point in s.points where point.status == .complete {
            XCTAssertEqual(try RunStore.read(recordAt: dir + "/runs/\(point.run!)/record.json").status, .complete)
        }
        // The interrupted point keeps a valid record that says so.
        let stopped = try XCTUnwrap(s.points.first(where: { $0.status == .interrupted })?.run, "no interrupted point")
        XCTAssertEqual(try RunStore.read(recordAt: dir + "/runs/\(stopped)/record.json").status, .interrupted)

        let resumed = try kymo(args)
        XCTAssertEqual(resumed.status, 0, resumed.out + resumed.err)
        XCTAssertTrue(resumed.out.contains("\(s.completeCount) already complete (seal intact; unsigned), \(4 - s.completeCount) to run"), resumed.out)
        let table = try kymo(["runs", "compare", id, "--by", "a", "--runs", "runs"])
        XCTAssertEqual(table.out, expected.out)
        XCTAssertTrue(table.out.contains("± "), table.out)
        // The interrupted point was resumed, not started over: its own record finished, one record per point.
        XCTAssertTrue(resumed.out.contains("resuming run \(stopped) from its checkpoint"), resumed.out)
        let finished = try RunStore.read(recordAt: dir + "/runs/\(stopped)/record.json")
        XCTAssertEqual(finished.status, .complete)
        XCTAssertEqual(finished.resumes.count, 1)
        XCTAssertEqual(RunStore(folder: dir + "/runs").runIDs().count, 4, "one record per point")
        // Each attempt kept its own log.
        let index = try XCTUnwrap(s.points.first { $0.run == stopped }?.index)
        let logs = try FileManager.default.contentsOfDirectory(atPath: dir + "/runs/\(id)/logs").filter { $0.hasPrefix("point-\(index).") }
        XCTAssertEqual(logs.sorted(), ["point-\(index).1.log", "point-\(index).2.log"])
        XCTAssertTrue(try String(contentsOfFile: dir + "/runs/\(id)/logs/point-\(index).2.log", encoding: .utf8).contains("resumed \(stopped): complete"))
    }

    func testTwoIdenticalSweepsStartedAtOnceRunEachPointOnce() throws {
        try Self.slow.write(toFile: dir + "/nb.kymo", atomically: true, encoding: .utf8)
        let (a, aOut, _) = try start(Self.slowSweep)
        let (b, bOut, _) = try start(Self.slowSweep)
        let outs = [aOut, bOut].map { String(decoding: $0.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }
        a.waitUntilExit()
        b.waitUntilExit()
        XCTAssertEqual([a.terminationStatus, b.terminationStatus], [0, 0], outs.joined())
        for o in outs { XCTAssertTrue(o.contains("complete, 4/4 points complete"), o) }
        let store = RunStore(folder: dir + "/runs")
        XCTAssertEqual(store.runIDs().count, 4, "each point ran once: \(outs.joined())")
        let id = try sweepID(outs[0])
        let logs = try FileManager.default.contentsOfDirectory(atPath: dir + "/runs/\(id)/logs").sorted()
        XCTAssertEqual(logs, (0..<4).map { "point-\($0).1.log" }, "one attempt per point")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/runs/\(id)/claims"), [], "every claim released")
    }

    func testATaskStoppedBySigusr1IsResumedFromItsCheckpointWhenItRunsAgain() throws {
        // What a Slurm array task lives through: its time limit's warning (SIGUSR1) mid-point, then a requeue.
        try Self.slow.write(toFile: dir + "/nb.kymo", atomically: true, encoding: .utf8)
        let r = try kymo(Self.slowSweep + ["--slurm"])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        let id = try sweepID(r.out)
        let script = dir + "/runs/\(id)/sweep.sbatch"
        let hold = try HoldFolder(dir + "/hold", afterCells: 1)
        var env = hold.environment
        env["SLURM_ARRAY_TASK_ID"] = "2"
        let (task, out, _) = try start([script], environment: env, executable: "/bin/bash")
        let held = hold.wait(for: 1) { task.isRunning }
        XCTAssertEqual(Array(held.values), ["cells 1"], "held: \(held)")
        kill(task.processIdentifier, SIGUSR1)   // bash exec'd kymo sweep: the task's own pid
        _ = out.fileHandleForReading.readDataToEndOfFile()
        task.waitUntilExit()
        XCTAssertEqual(task.terminationStatus, 143)
        let stopped = try XCTUnwrap(RunStore(folder: dir + "/runs").runIDs().first)
        XCTAssertEqual(try RunStore.read(recordAt: dir + "/runs/\(stopped)/record.json").status, .interrupted)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/runs/\(id)/claims"), [], "the claim is released")
        // runs compare names the point as interrupted (the sweep record never learned of the task's run).
        let partial = try kymo(["runs", "compare", id, "--runs", "runs"])
        XCTAssertTrue(partial.err.contains("point 2 (a=3 seed=5): run \(stopped) is interrupted"), partial.err)
        // Requeued: the same task again continues that record.
        let again = try KymoBinary.execute("/bin/bash", [script], in: dir, environment: ["SLURM_ARRAY_TASK_ID": "2"])
        XCTAssertEqual(again.status, 0, again.out + again.err)
        XCTAssertTrue(again.out.contains("resuming run \(stopped) from its checkpoint"), again.out)
        let done = try RunStore.read(recordAt: dir + "/runs/\(stopped)/record.json")
        XCTAssertEqual(done.status, .complete)
        XCTAssertEqual(done.resumes.count, 1)
        XCTAssertEqual(RunStore(folder: dir + "/runs").runIDs(), [stopped], "one record for the point")
    }

    func testCompareCountsOneRecordPerConfigurationAndSeedOfItsSweeps() throws {
        try Self.tiny.write(toFile: dir + "/nb.kymo", atomically: true, encoding: .utf8)
        // Two sweeps that share the point seed=2 with a record each: the second takes the newest
        // complete record of that point in the folder, a plain run made after the first sweep.
        let a = try kymo(["sweep", "nb.kymo", "--seeds", "1,2", "--threads", "1"])
        XCTAssertEqual(try kymo(["run", "nb.kymo", "--seed", "2", "--runs", "runs"]).status, 0)
        let b = try kymo(["sweep", "nb.kymo", "--seeds", "2", "--threads", "1"])
        XCTAssertEqual([a.status, b.status], [0, 0], a.out + a.err + b.out + b.err)
        XCTAssertTrue(b.out.contains("1 already complete"), b.out)
        let ids = RunStore(folder: dir + "/runs").runIDs()
        XCTAssertEqual(ids.count, 3)
        let c = try kymo(["runs", "compare", try sweepID(a.out), try sweepID(b.out), "--runs", "runs"])
        XCTAssertEqual(c.status, 0, c.err)
        XCTAssertTrue(c.out.contains("2 complete runs, 1 configuration"), c.out)
        let seed2 = try ids.filter { try RunStore(folder: dir + "/runs").load($0).record.seed == 2 }
        XCTAssertEqual(seed2.count, 2)
        XCTAssertTrue(c.err.contains("2 complete records of seed=2 ("), c.err)
        XCTAssertTrue(c.err.contains("); counting one, the newest: "), c.err)
        for id in seed2 { XCTAssertTrue(c.err.contains(id), c.err) }
    }

    func testAFailedPointIsRunAgainOnlyWithRetryFailed() throws {
        // a = 3 indexes past the list: that point fails.
        try (Self.tiny + "\nlet z = [1, 2, 3][a * 2]\n").write(toFile: dir + "/nb.kymo", atomically: true, encoding: .utf8)
        let args = ["sweep", "nb.kymo", "--set", "a=1,3", "--threads", "1"]
        let first = try kymo(args)
        XCTAssertEqual(first.status, 1, first.out + first.err)
        XCTAssertTrue(first.out.contains("1/2 points complete, 1 failed"), first.out)
        let again = try kymo(args)
        XCTAssertEqual(again.status, 1, again.out + again.err)
        XCTAssertTrue(again.out.contains("1 already complete (seal intact; unsigned), 0 to run"), again.out)
        XCTAssertTrue(again.err.contains("1 failed point not run again (point 1 a=3 seed=0, run "), again.err)
        XCTAssertTrue(again.err.contains("--retry-failed"), again.err)
        XCTAssertEqual(RunStore(folder: dir + "/runs").runIDs().count, 2)
        let retried = try kymo(args + ["--retry-failed"])
        XCTAssertEqual(retried.status, 1, retried.out + retried.err)
        XCTAssertTrue(retried.out.contains("1 already complete (seal intact; unsigned), 1 to run"), retried.out)
        XCTAssertEqual(RunStore(folder: dir + "/runs").runIDs().count, 3)
    }

    /// The processes whose parent is `pid` (from /proc).
    func children(of pid: Int32) -> [Int32] { KymoBinary.children(of: pid) }

    func testSweepKilledWithSigkillResumesToTheSameTable() throws {
        // kill -9 of the sweep and of its running point (a crashed node): no
        // handler runs, the sweep record says "running" for the point whose
        // record is left unfinished; the next sweep re-runs exactly that point.
        let args = Self.slowSweep
        let (id, expected) = try uninterruptedTable(args)
        try Self.slow.write(toFile: dir + "/nb.kymo", atomically: true, encoding: .utf8)
        let hold = try HoldFolder(dir + "/hold", afterCells: 1)
        let (p, out, _) = try start(args, environment: hold.environment)
        let sweepPath = dir + "/runs/\(id)/sweep.json"
        let killed = whenAPointIsDoneAndOneRuns(p, hold) { point in
            let kids = children(of: p.processIdentifier)
            XCTAssertEqual(kids, [point], "the sweep's one running point is the held one")
            kill(p.processIdentifier, SIGKILL)
            kill(point, SIGKILL)
            return true
        }
        _ = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(killed, true, "no running point to kill")
        XCTAssertEqual(p.terminationReason, .uncaughtSignal)
        let s = try SweepStore.read(at: sweepPath)
        XCTAssertNotEqual(s.status, "complete")
        let done = s.completeCount
        XCTAssertEqual(done, 1)

        let resumed = try kymo(args)
        XCTAssertEqual(resumed.status, 0, resumed.out + resumed.err)
        XCTAssertTrue(resumed.out.contains("\(done) already complete (seal intact; unsigned), \(4 - done) to run"), resumed.out)
        let table = try kymo(["runs", "compare", id, "--by", "a", "--runs", "runs"])
        XCTAssertEqual(table.out, expected.out)
        XCTAssertTrue(table.out.contains("± "), table.out)
    }

    func testSlurmScriptRunsOnePointPerArrayTask() throws {
        try Self.tiny.write(toFile: dir + "/nb.kymo", atomically: true, encoding: .utf8)
        let args = ["sweep", "nb.kymo", "--set", "a=1,2", "--seeds", "7", "--threads", "1"]
        let r = try kymo(args + ["--slurm"])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        let id = try sweepID(r.out)
        let script = dir + "/runs/\(id)/sweep.sbatch"
        let text = try String(contentsOfFile: script, encoding: .utf8)
        XCTAssertTrue(text.contains("#SBATCH --array=0,1\n"), text)
        XCTAssertTrue(text.contains("#SBATCH --cpus-per-task=1\n"), text)
        XCTAssertTrue(text.contains("#SBATCH --signal=B:USR1@120\n") && text.contains("#SBATCH --requeue\n") && text.contains("#SBATCH --open-mode=append\n"), text)
        XCTAssertEqual(RunStore(folder: dir + "/runs").runIDs().count, 0, "--slurm runs nothing itself")
        // Each array task, as Slurm would start it.
        func task(_ n: Int) throws -> (status: Int32, out: String, err: String) {
            try KymoBinary.execute("/bin/bash", [script], in: dir, environment: ["SLURM_ARRAY_TASK_ID": "\(n)"])
        }
        // The notebook edited while the array waits: a task refuses it, naming the difference, and runs nothing.
        try Self.tiny.replacingOccurrences(of: "let b = 0.5", with: "let b = 0.25").write(toFile: dir + "/nb.kymo", atomically: true, encoding: .utf8)
        let edited = try task(0)
        XCTAssertEqual(edited.status, 2, edited.out + edited.err)
        XCTAssertTrue(edited.err.contains("is not the text \(id) was created with: line 3 was “let b = 0.5”, now “let b = 0.25”"), edited.err)
        XCTAssertEqual(RunStore(folder: dir + "/runs").runIDs().count, 0)
        try Self.tiny.write(toFile: dir + "/nb.kymo", atomically: true, encoding: .utf8)
        for n in 0..<2 {
            let t = try task(n)
            XCTAssertEqual(t.status, 0, "array task \(n): \(t.out)\(t.err)")
        }
        // A duplicate submission's task finds its point complete and runs nothing.
        let duplicate = try task(1)
        XCTAssertEqual(duplicate.status, 0, duplicate.out + duplicate.err)
        XCTAssertTrue(duplicate.out.contains("2 already complete (seal intact; unsigned), 0 to run"), duplicate.out)
        XCTAssertEqual(RunStore(folder: dir + "/runs").runIDs().count, 2)
        // sweep.json says what the records say, written by the tasks themselves.
        XCTAssertEqual(try SweepStore.read(at: dir + "/runs/\(id)/sweep.json").status, "complete")
        let done = try kymo(args)
        XCTAssertEqual(done.status, 0, done.out + done.err)
        XCTAssertTrue(done.out.contains("2 already complete (seal intact; unsigned), 0 to run"), done.out)
        let c = try kymo(["runs", "compare", id, "--runs", "runs"])
        XCTAssertTrue(c.out.contains("(n = 1, no spread)"), c.out)
    }
}
