// `kymo sweep NB.kymo [--set KEY=V1,V2,…]… [--seeds S1,S2,…] [--jobs J] [--threads T] [--runs DIR]`:
// the product of the `--set` lists and the seeds, each point an ordinary
// `kymo run` of this same binary in a child process (its own record), plus
// `runs/sweep-<id>/sweep.json` naming the points (SweepRecord). Running the
// same sweep again verifies the points already recorded and runs the rest.
// Ctrl-C (or SIGTERM) is passed on to the running children once, each
// finishes its record as `interrupted`, and the sweep record is written
// before exiting 130. `--slurm` writes an sbatch job-array script instead of
// running the points (`--submit` also submits it).
// Children run in their own process group (a terminal's Ctrl-C reaches only
// the sweep, which forwards exactly one SIGINT), with stdin from /dev/null
// and stdout + stderr in `sweep-<id>/logs/point-<N>.log`.

import ArgumentParser
import Foundation
import KymoBase
import KymoLanguage
import Records
import Notebook

// Written only by the stop handler (a sig_atomic_t, the one type a handler may set), polled by the scheduler.
nonisolated(unsafe) private var sweepStopWord: sig_atomic_t = 0
// The signal that stopped the sweep (SIGINT, SIGTERM or SIGUSR1).
nonisolated(unsafe) private var sweepStopSignal: sig_atomic_t = 0

struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a notebook over the product of --set lists and seeds, one record per point, plus a sweep record.",
        discussion: """
            EXAMPLES:
              kymo sweep nb.kymo --set hidden=16,32 --seeds 1,2,3 --jobs 2
              kymo sweep nb.kymo --set lr=1e-3,3e-3 --slurm
            """)

    @Argument(help: "The notebook (.kymo) to sweep.")
    var notebook: String

    @Option(name: .customLong("set"), help: "An axis: --set KEY=V1,V2,… (repeatable; commas inside quotes or brackets do not split).")
    var axes: [String] = []

    @Option(help: "Seeds, comma-separated: --seeds 1,2,3 (default 0); refused when the notebook pins its seed with seed(n).")
    var seeds: String?

    @Option(help: "Points run at once, as parallel processes.")
    var jobs: Int = 1

    @Option(help: "Worker threads of each point (default: cores / jobs, jobs × threads at most the cores; with --slurm: 1, the array's --cpus-per-task).")
    var threads: Int?

    @Flag(help: "Allow jobs × threads to exceed the cores.")
    var oversubscribe = false

    @Option(help: ArgumentHelp("Record the points and the sweep in DIR (default: runs/ beside the notebook).", valueName: "dir"))
    var runs: String?

    @Flag(help: "Write an sbatch job-array script (one array task per point not yet complete) instead of running the points.")
    var slurm = false

    @Flag(help: "With --slurm: also submit the script with sbatch.")
    var submit = false

    @Option(help: ArgumentHelp("Run only point N (what each task of the --slurm script runs): claimed, resumed if it was interrupted, skipped if complete or claimed elsewhere.", valueName: "n"))
    var point: Int?

    @Option(name: .customLong("sweep-id"), help: ArgumentHelp("With --point: the sweep the task belongs to; a notebook edited since is refused, the difference named.", valueName: "id", visibility: .hidden))
    var expectedSweep: String?

    @Flag(help: "Run failed points again (by default a failed point is reported, not rerun: it would fail again unless something changed).")
    var retryFailed = false

    @Option(name: .customLong("sbatch"), help: ArgumentHelp("With --slurm: an extra #SBATCH line, written with '=': --sbatch=--partition=cpu --sbatch=--time=2:00:00 (repeatable).", valueName: "option"))
    var sbatchOptions: [String] = []

    func run() throws {
        let console = Console()
        guard let text = try? String(contentsOfFile: notebook, encoding: .utf8) else {
            console.error("kymo sweep: cannot read '\(notebook)'\n")
            throw ExitStatus.couldNot.code
        }
        let parsedAxes = try axes.map(Sweep.parseAxis)
        if let dup = Dictionary(grouping: parsedAxes, by: \.key).first(where: { $0.value.count > 1 }) {
            throw ValidationError("--set \(dup.key) is given twice; give one list of values")
        }
        // Every value of every axis must suit the notebook (a usage error leaves no sweep and no record).
        let bad = parsedAxes.flatMap { axis in axis.values.flatMap { value in
            CommandLineChecks.overrideProblems(notebook: notebook, text: text, overrides: [(axis.key, value)])
        } }
        if !bad.isEmpty {
            console.error(DiagnosticFormatter.render(bad))
            console.error("kymo sweep: nothing was run or recorded\n")
            throw ExitStatus.usage.code
        }
        let seedList = try Sweep.parseSeeds(seeds ?? "0")
        let pins = SeedPins.find(inNotebook: notebook, text: text)
        if let seeds, !pins.isEmpty {
            console.error("kymo sweep: " + SeedPins.refusal(path: notebook, pins: pins, what: "--seeds \(seeds)") + "\n")
            throw ExitCode(2)
        }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        var jobs = self.jobs
        if jobs > cores && !oversubscribe && !slurm {
            console.error("kymo sweep: --jobs \(jobs) is more than the \(cores) cores; running \(cores) at once (--oversubscribe to insist)\n")
            jobs = cores
        }
        // Under Slurm the points run on compute nodes: this (login) machine's cores say nothing about them.
        let threads = self.threads ?? (slurm ? 1 : max(1, cores / jobs))
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        if jobs * threads > cores && !oversubscribe && !slurm {
            console.error("kymo sweep: --jobs \(jobs) × --threads \(threads) = \(jobs * threads) threads on \(cores) cores; " +
                          "give fewer (for example --threads \(max(1, cores / jobs))) or pass --oversubscribe\n")
            throw ExitStatus.couldNot.code
        }

        let store = RunStore(folder: RunStore.folder(forNotebook: notebook, runs: runs))
        do { try store.prepare() } catch { throw recordFailure("sweep", error) }
        let sha = RecordHash.hex(of: text)
        let id = SweepRecord.makeID(notebookSHA256: sha, axes: parsedAxes, seeds: seedList)
        let sweepFolder = SweepStore.folder(store, id: id)
        if let expectedSweep, expectedSweep != id {
            // A task of a sweep whose notebook was edited since: the tasks run the text the sweep was created with, or nothing.
            console.error("kymo sweep: \(notebook) is not the text \(expectedSweep) was created with: " +
                          SweepPin.difference(pinned: SweepStore.folder(store, id: expectedSweep), now: text) +
                          "; this task runs nothing (restore the file, or run kymo sweep again: the edited text is a new sweep)\n")
            throw ExitStatus.couldNot.code
        }
        var sweep: SweepRecord
        if FileManager.default.fileExists(atPath: sweepFolder + "/" + SweepStore.fileName) {
            do { sweep = try SweepStore.read(at: sweepFolder + "/" + SweepStore.fileName) } catch { throw recordFailure("sweep", error) }
            sweep.status = "running"
        } else {
            sweep = SweepRecord(id: id, notebook: SweepNotebook(path: notebook, sha256: sha), axes: parsedAxes, seeds: seedList,
                                jobs: jobs, threads: threads, start: Date())
            for note in SweepPin.editedSince(notebook: notebook, sha256: sha, text: text, store: store) { console.error("kymo sweep: \(note)\n") }
        }
        do { try SweepPin.pin(text: text, sweepFolder: sweepFolder) } catch { throw recordFailure("sweep", error) }
        sweep.jobs = jobs
        sweep.threads = threads
        // Running points of an earlier invocation that died: their records decide.
        for i in sweep.points.indices where sweep.points[i].status == .running { sweep.points[i].status = .interrupted }
        let found = SweepStore.reconcile(&sweep, in: store)
        let done = sweep.completeCount
        let failedBefore = sweep.points.filter { $0.status == .failed }
        var todo = sweep.points.filter { $0.status != .complete && ($0.status != .failed || retryFailed) }
        if let point {
            guard sweep.points.indices.contains(point) else { throw ValidationError("--point \(point): the sweep has points 0 to \(sweep.points.count - 1)") }
            todo = todo.filter { $0.index == point }
        }
        if !retryFailed && !failedBefore.isEmpty {
            console.error("kymo sweep: \(failedBefore.count) failed point\(failedBefore.count == 1 ? "" : "s") not run again (" +
                          failedBefore.map { "point \($0.index) \($0.label)" + ($0.run.map { ", run \($0)" } ?? "") }.joined(separator: "; ") +
                          "); --retry-failed runs them again\n")
        }
        let signedCount = found.values.filter(RecordChecks.isSigned).count
        let checked = done == 0 ? "" : " (seal intact; \(signedCount == done ? "all signed" : signedCount == 0 ? "unsigned" : "\(signedCount) signed, \(done - signedCount) unsigned"))"
        console.write("sweep \(id): \(sweep.points.count) point\(sweep.points.count == 1 ? "" : "s") " +
                      "(\(Sweep.describe(parsedAxes, seedList))), \(done) already complete\(checked), \(todo.count) to run" +
                      (slurm ? "" : ", \(jobs) at a time × \(threads) thread\(threads == 1 ? "" : "s")") + "\n")
        do { try SweepStore.write(&sweep, in: store) } catch { throw recordFailure("sweep", error) }

        if slurm {
            try writeSlurm(sweep: &sweep, store: store, folder: sweepFolder, points: todo, threads: threads, console: console)
            return
        }

        try FileManager.default.createDirectory(atPath: sweepFolder + "/logs", withIntermediateDirectories: true)
        Sweep.installStopHandlers()
        let exe = Sweep.executablePath()
        let total = sweep.points.count
        func save() {
            do { try SweepStore.write(&sweep, in: store) } catch { console.error("kymo sweep: \(error)\n") }
        }
        // Each point is claimed before it runs (SweepClaims): one another sweep holds is left to it.
        var claims: [Int: LeaseKeeper] = [:]
        var elsewhere: [Int] = []
        var jobsToRun: [ProcessPool.Job] = []
        var records: [RunRecord]?   // the folder's records, read once, when a point first needs them
        func allRecords() -> [RunRecord] {
            if records == nil { records = store.recordsByStart() }
            return records!
        }
        for p in todo {
            let outcome: SweepClaims.Outcome
            do { outcome = try SweepClaims.take(sweepFolder: sweepFolder, index: p.index) } catch {
                console.error("kymo sweep: \(error)\n")
                throw ExitStatus.couldNot.code
            }
            switch outcome {
            case .held(let lease):
                if point == nil { elsewhere.append(p.index) }   // a task (--point) leaves it to the other and ends
                sweep.points[p.index].status = .running
                console.write("point \(p.index + 1)/\(total) \(p.label): claimed by process \(lease.pid) on \(lease.host) (another kymo sweep, " +
                              "\(Int(lease.age())) s ago); left to it\n")
                continue
            case .claimed(let keeper):
                claims[p.index] = keeper
            }
            var args: [String]
            if let id = SweepClaims.interruptedRecord(of: p, in: sweep, store: store, all: allRecords) {
                // Stopped part-way: continue its record from its checkpoint, under its own run id.
                args = ["resume", id]
                sweep.points[p.index].run = id
            } else {
                // No --seeds: every point runs with the default seed 0 (a pinning notebook may sweep --set lists).
                args = ["run", notebook] + (seeds == nil ? [] : ["--seed", "\(p.seed)"])
                for o in p.overrides { args += ["--set", "\(o.key)=\(o.value)"] }
            }
            args += ["--threads", "\(threads)", "--runs", store.folder]
            let log = try SweepClaims.attemptLog(sweepFolder: sweepFolder, index: p.index)
            jobsToRun.append(ProcessPool.Job(id: p.index, executable: exe, arguments: args, log: log))
        }
        var starts: [Int: Date] = [:]
        var told = false
        let pool = ProcessPool(parallel: jobs, shouldStop: {
            if sweepStopWord != 0 && !told {
                told = true
                console.error("kymo sweep: interrupted; stopping the running points (each keeps its record)\n")
            }
            return sweepStopWord != 0
        })
        pool.run(jobsToRun, started: { job, _ in
            let i = job.id
            starts[i] = Date()
            sweep.points[i].status = .running
            sweep.points[i].exitStatus = nil
            let how = job.arguments.first == "resume" ? "resuming run \(job.arguments[1]) from its checkpoint" : "started"
            console.write("point \(i + 1)/\(total) \(sweep.points[i].label): \(how) (log \(job.log))\n")
            save()
        }, failedToStart: { job, error in
            console.error("kymo sweep: cannot start point \(job.id): \(error)\n")
            claims.removeValue(forKey: job.id)?.stop()
            sweep.points[job.id].status = .failed
            save()
        }, finished: { job, code in
            let i = job.id
            claims.removeValue(forKey: i)?.stop()
            sweep.points[i].exitStatus = code
            if let rid = Sweep.runID(inLog: job.log) { sweep.points[i].run = rid }
            sweep.points[i].status = code == 0 ? .complete : (code == ExitStatus.interrupted.rawValue || code == ExitStatus.terminated.rawValue ? .interrupted : .failed)
            // Killed from outside (kill -9, the OOM killer): its record reads `interrupted` and the next sweep resumes it.
            if code == 128 + SIGKILL,
               let id = SweepClaims.interruptedRecord(of: sweep.points[i], in: sweep, store: store, all: { store.recordsByStart() }) {
                sweep.points[i].run = id
                sweep.points[i].status = .interrupted
            }
            var check = sweep
            let verified = SweepStore.reconcile(&check, in: store)
            if verified[i] == nil && sweep.points[i].status == .complete { sweep.points[i].status = .failed }
            if let r = verified[i] { sweep.points[i].run = r.id; sweep.points[i].status = .complete }
            let how = sweep.points[i].status == .complete ? "complete" : "\(sweep.points[i].status.rawValue) (exit \(code))"
            console.write("point \(i + 1)/\(total) \(sweep.points[i].label): \(how)" +
                          (sweep.points[i].run.map { ", run \($0)" } ?? "") +
                          String(format: ", %.1fs", Date().timeIntervalSince(starts[i] ?? Date())) + "\n")
            save()
        })
        for c in claims.values { c.stop() }   // points never started (interrupted sweep)
        // Points another sweep runs: wait until it lets go of them (finished, or gone), then read their records.
        if !elsewhere.isEmpty {
            console.write("waiting for \(elsewhere.count) point\(elsewhere.count == 1 ? "" : "s") another kymo sweep runs\n")
            while sweepStopWord == 0 && elsewhere.contains(where: { SweepClaims.isHeld(sweepFolder: sweepFolder, index: $0) }) { usleep(100_000) }
            for i in elsewhere where sweep.points[i].status == .running { sweep.points[i].status = .pending }
        }
        SweepStore.reconcile(&sweep, in: store)
        let complete = sweep.completeCount
        sweep.status = complete == sweep.points.count ? "complete" : "incomplete"
        save()
        let failed = sweep.points.filter { $0.status == .failed }.count
        var line = "sweep \(id): \(sweep.status), \(complete)/\(sweep.points.count) points complete"
        if failed > 0 { line += ", \(failed) failed" }
        line += ", recorded in \(sweepFolder)"
        if complete > 0 { line += "; compare with: kymo runs compare \(id) --runs \(store.folder)" }
        console.write(line + "\n")
        if sweepStopWord != 0 {
            if let point, sweepStopSignal == SIGUSR1 { Sweep.requeueSlurmTask(point: point, console: console) }
            throw sweepStopSignal == SIGINT ? ExitStatus.interrupted.code : ExitStatus.terminated.code
        }
        if let point {
            // A task answers for its point: complete, or run elsewhere (claimed by another task).
            let p = sweep.points[point]
            if p.status != .complete && !SweepClaims.isHeld(sweepFolder: sweepFolder, index: point) && !todo.isEmpty {
                throw ExitStatus.failed.code
            }
            return
        }
        if complete < sweep.points.count { throw ExitStatus.failed.code }
    }

    // MARK: Slurm

    func writeSlurm(sweep: inout SweepRecord, store: RunStore, folder: String, points: [SweepPoint], threads: Int, console: Console) throws {
        guard !points.isEmpty else {
            console.write("sweep \(sweep.id): every point is complete; no script written\n")
            return
        }
        let cwd = FileManager.default.currentDirectoryPath
        func absolute(_ p: String) -> String { p.hasPrefix("/") ? p : cwd + "/" + p }
        let script = Sweep.slurmScript(sweep: sweep, points: points, executable: Sweep.executablePath(), workingDirectory: cwd,
                                       notebook: notebook, runsFolder: absolute(store.folder), logs: absolute(folder) + "/logs",
                                       threads: threads, jobs: self.jobs, extra: sbatchOptions, seedsGiven: seeds != nil)
        try FileManager.default.createDirectory(atPath: folder + "/logs", withIntermediateDirectories: true)
        let path = folder + "/sweep.sbatch"
        try AtomicFile.write(Array(script.utf8), to: path)
        chmod(path, 0o755)
        console.write("sweep \(sweep.id): wrote \(path), a job array of \(points.count) task\(points.count == 1 ? "" : "s")" +
                      " (one per point not yet complete)\n")
        if submit {
            guard let sbatch = Sweep.which("sbatch") else {
                console.error("kymo sweep: --submit: no sbatch on PATH; submit \(path) where Slurm runs\n")
                throw ExitStatus.couldNot.code
            }
            let (status, out, err) = Bench.execute(sbatch, [path])
            guard status == 0 else {
                console.error("kymo sweep: sbatch \(path) failed (status \(status)): \(err.isEmpty ? out : err)" + (err.hasSuffix("\n") ? "" : "\n"))
                throw ExitStatus.couldNot.code
            }
            console.write(out.hasSuffix("\n") ? out : out + "\n")
        }
        console.write("when the array has run: kymo sweep \(([notebook] + axes.map { "--set " + Sweep.shellQuote($0) } + (seeds.map { ["--seeds", $0] } ?? [])).joined(separator: " "))" +
                      (runs.map { " --runs \($0)" } ?? "") + " verifies the points and completes the sweep record\n")
    }

    /// The sbatch script: array task N runs point N with `kymo run`.
    static func slurmScript(sweep: SweepRecord, points: [SweepPoint], executable: String, workingDirectory: String, notebook: String,
                            runsFolder: String, logs: String, threads: Int, jobs: Int, extra: [String],
                            seedsGiven: Bool = true) -> String {
        var s = "#!/bin/bash\n"
        s += "# kymo sweep \(sweep.id): \(sweep.notebook.path) (sha256 \(sweep.notebook.sha256)), \(points.count) of \(sweep.points.count) points.\n"
        s += "# Each array task runs one point (`kymo sweep … --point N`: a `kymo run`, or `kymo resume` after a requeue), recorded in \(runsFolder).\n"
        s += "#SBATCH --job-name=kymo-\(sweep.id)\n"
        s += "#SBATCH --array=\(points.map { "\($0.index)" }.joined(separator: ","))" + (jobs > 1 ? "%\(jobs)" : "") + "\n"
        s += "#SBATCH --ntasks=1\n"
        s += "#SBATCH --cpus-per-task=\(threads)\n"
        s += "#SBATCH --chdir=\(workingDirectory)\n"
        s += "#SBATCH --output=\(logs)/slurm-%A_%a.log\n"
        // Two minutes before a time limit Slurm sends SIGUSR1 to this script, which is kymo itself
        // (exec below): the point checkpoints at its next step and records itself `interrupted`.
        s += "#SBATCH --signal=B:USR1@120\n"
        s += "#SBATCH --requeue\n"
        s += "#SBATCH --open-mode=append\n"   // a requeued task adds to its Slurm log instead of replacing it
        for e in extra { s += "#SBATCH \(e)\n" }
        s += "set -euo pipefail\n"
        s += ": \"${SLURM_ARRAY_TASK_ID:?run this script with sbatch}\"\n"
        // The task claims its point, resumes it if an earlier attempt was stopped (a requeue), or skips it
        // when it is complete or another task holds it; an edited notebook is refused (--sweep-id).
        var args = [notebook]
        for a in sweep.axes { args += ["--set", "\(a.key)=\(a.values.joined(separator: ","))"] }
        if seedsGiven { args += ["--seeds", sweep.seeds.map(String.init).joined(separator: ",")] }
        s += "exec \(shellQuote(executable)) sweep \(args.map(shellQuote).joined(separator: " ")) --threads \(threads) --runs \(shellQuote(runsFolder))"
            + " --point \"$SLURM_ARRAY_TASK_ID\" --sweep-id \(sweep.id)\n"
        return s
    }

    static func shellQuote(_ s: String) -> String {
        if !s.isEmpty && s.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0) }) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = dir + "/" + name
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    // MARK: parsing

    /// `KEY=V1,V2,…`; commas inside double quotes or brackets do not split.
    static func parseAxis(_ s: String) throws -> SweepAxis {
        let (key, rest) = try Run.parseOverride(s)
        var values: [String] = [], current = "", depth = 0, quoted = false, escaped = false
        for ch in rest {
            if quoted {
                current.append(ch)
                if escaped { escaped = false } else if ch == "\\" { escaped = true } else if ch == "\"" { quoted = false }
                continue
            }
            switch ch {
            case "\"": quoted = true; current.append(ch)
            case "[", "{", "(": depth += 1; current.append(ch)
            case "]", "}", ")": depth -= 1; current.append(ch)
            case "," where depth == 0: values.append(current.trimmingCharacters(in: .whitespaces)); current = ""
            default: current.append(ch)
            }
        }
        values.append(current.trimmingCharacters(in: .whitespaces))
        if values.contains(where: \.isEmpty) { throw ValidationError("--set \(s): an empty value in the list") }
        if Set(values).count != values.count { throw ValidationError("--set \(s): a value is listed twice") }
        return SweepAxis(key: key, values: values)
    }

    static func parseSeeds(_ s: String) throws -> [UInt64] {
        let parts = s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        var out: [UInt64] = []
        for p in parts {
            guard let v = UInt64(p) else { throw ValidationError("--seeds takes comma-separated non-negative integers, got '\(p)'") }
            if out.contains(v) { throw ValidationError("--seeds: \(v) is listed twice") }
            out.append(v)
        }
        if out.isEmpty { throw ValidationError("--seeds: no seeds") }
        return out
    }

    static func describe(_ axes: [SweepAxis], _ seeds: [UInt64]) -> String {
        (axes.map { "\($0.key) × \($0.values.count)" } + ["seeds × \(seeds.count)"]).joined(separator: ", ")
    }

    // MARK: children

    /// This binary, so the points run the build the sweep runs.
    static func executablePath() -> String { RunningExecutable.path }

    /// A task stopped by Slurm's warning signal before its time limit (`--signal=B:USR1@120`)
    /// puts itself back in the queue; run again, it resumes its point from the checkpoint just written.
    static func requeueSlurmTask(point: Int, console: Console) {
        let env = ProcessInfo.processInfo.environment
        guard let job = env["SLURM_ARRAY_JOB_ID"].flatMap({ a in env["SLURM_ARRAY_TASK_ID"].map { a + "_" + $0 } }) ?? env["SLURM_JOB_ID"] else { return }
        guard let scontrol = which("scontrol") else {
            console.error("kymo sweep: point \(point) stopped before the time limit; no scontrol on PATH to requeue job \(job)\n")
            return
        }
        let (status, _, err) = Bench.execute(scontrol, ["requeue", job])
        console.error(status == 0 ? "kymo sweep: point \(point) stopped before the time limit; requeued job \(job), which resumes it\n"
                                  : "kymo sweep: scontrol requeue \(job) failed: \(err)\n")
    }

    /// Ctrl-C (or SIGTERM) arrived since `installStopHandlers`.
    static var stopRequested: Bool { sweepStopWord != 0 }

    static func installStopHandlers() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { sig in
            if sweepStopWord == 0 { sweepStopSignal = sig }
            sweepStopWord = 1
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
        sigaction(SIGTERM, &action, nil)
        sigaction(SIGUSR1, &action, nil)
    }

    /// The id in a child's closing line, `run <id>: complete, …`.
    static func runID(inLog path: String) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n").reversed() where line.hasPrefix("run ") {
            let rest = line.dropFirst(4)
            if let colon = rest.firstIndex(of: ":") {
                let id = String(rest[..<colon])
                if RunID.isWellFormed(id) { return id }
            }
        }
        return nil
    }
}
