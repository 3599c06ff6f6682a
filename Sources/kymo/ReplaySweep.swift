// `kymo replay sweep-<id>`: replays every point of a sweep, each as its own
// `kymo replay <point folder>` child (this binary; `--jobs J` at once, the
// threads of each default to cores / J), with its output in
// `sweep-<id>/replay-<n>/point-<N>.log`. One verdict line per point (from
// the point's sealed verdict.json), then one for the sweep: identical when
// every point is; otherwise the worst: diverged (exit 3), a point that could
// not be replayed or has no complete record (exit 2), identical numbers
// (exit 1); 130 when interrupted. The sweep's verdict is written, sealed, to
// `sweep-<id>/replay-<n>/verdict.json`.

import ArgumentParser
import Foundation
import KymoBase
import Notebook
import Records

struct ReplaySweep {
    let replay: Replay

    /// `sweep-…`, a sweep folder or its sweep.json (not a run).
    static func isSweepReference(_ reference: String, runs: RunsFolderOption) -> Bool {
        let last = (reference as NSString).lastPathComponent
        if last == SweepStore.fileName { return true }
        if FileManager.default.fileExists(atPath: reference + "/" + SweepStore.fileName) { return true }
        return last.hasPrefix("sweep-") && !FileManager.default.fileExists(atPath: reference + "/record.json")
    }

    struct PointResult: Codable {
        var index: Int
        var label: String
        var run: String?
        var exitCode: Int
        var verdict: String
        var summary: String
        var verdictFile: String?
    }

    struct SweepVerdict: Codable {
        var sweep: String
        var sweepSeal: String
        var verdict: String
        var summary: String
        var at: String
        var points: [PointResult]
        var seal: String = ""
    }

    func run() throws {
        let console = Console()
        let stores = replay.runs.stores
        let store: RunStore, sweep: SweepRecord
        do {
            guard let found = try SweepStore.resolve(replay.reference, in: stores) else {
                throw RecordError.notFound(reference: replay.reference, folder: stores.map(\.folder).joined(separator: ", "))
            }
            (store, sweep) = found
        } catch { throw recordFailure("replay", error) }
        guard replay.jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        if replay.notebook != nil || replay.restoreArtifacts {
            throw ValidationError("--notebook and --restore-artifacts replay one run; give a point's run folder for them, not a sweep")
        }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let jobs = min(replay.jobs, max(1, cores))
        let threads = replay.threads ?? max(1, cores / jobs)
        var s = sweep
        let records = SweepStore.reconcile(&s, in: store)
        let sweepFolder = SweepStore.folder(store, id: sweep.id)
        let out: String
        do { out = try Replayer.makeReplayFolder(runFolder: sweepFolder) } catch { throw recordFailure("replay", error) }
        console.write("replaying \(sweep.id): \(s.points.count) point\(s.points.count == 1 ? "" : "s"), \(records.count) with a complete record, "
                      + "\(jobs) at a time × \(threads) thread\(threads == 1 ? "" : "s"); logs in \(out)/\n")
        var results: [Int: PointResult] = [:]
        for p in s.points where records[p.index] == nil {
            results[p.index] = PointResult(index: p.index, label: p.label, run: p.run, exitCode: Int(ExitStatus.couldNot.rawValue), verdict: "not replayed",
                                           summary: "no complete record with an intact seal (\(p.status.rawValue))")
            console.write("point \(p.index + 1)/\(s.points.count) \(p.label): not replayed — no complete record with an intact seal\n")
        }
        Sweep.installStopHandlers()
        let exe = Sweep.executablePath()
        let jobsToRun = s.points.filter { records[$0.index] != nil }.map { p -> ProcessPool.Job in
            var args = ["replay", store.runFolder(records[p.index]!.id), "--threads", "\(threads)"]
            for d in replay.inputsFrom { args += ["--inputs-from", d] }
            if replay.inputsAtRecordedPaths { args.append("--inputs-at-recorded-paths") }
            if replay.failFast { args.append("--fail-fast") }
            return ProcessPool.Job(id: p.index, executable: exe, arguments: args, log: out + "/point-\(p.index).log")
        }
        ProcessPool(parallel: jobs, shouldStop: { Sweep.stopRequested }).run(jobsToRun, failedToStart: { job, error in
            let i = job.id
            results[i] = PointResult(index: i, label: s.points[i].label, run: records[i]!.id, exitCode: Int(ExitStatus.couldNot.rawValue),
                                     verdict: "not replayed", summary: "\(error)")
        }, finished: { job, status in
            let i = job.id, code = Int(status)
            let p = s.points[i], r = records[i]!
            var result = PointResult(index: i, label: p.label, run: r.id, exitCode: code, verdict: "not replayed", summary: "exit \(code)")
            if let (file, v) = Self.verdict(inLog: job.log, record: r) {
                result.verdict = v.verdict
                result.summary = v.summary
                result.verdictFile = file
            } else if code == Int(ExitStatus.interrupted.rawValue) {
                result.verdict = "interrupted"
            } else if let why = Self.lastLine(of: job.log) {
                result.summary = why
            }
            results[i] = result
            let said = result.summary.hasPrefix(result.verdict) ? result.summary : result.verdict + " — " + result.summary
            console.write("point \(i + 1)/\(s.points.count) \(p.label), run \(r.id): \(said)\n")
        })
        let all = s.points.map { results[$0.index] ?? PointResult(index: $0.index, label: $0.label, run: nil, exitCode: Int(ExitStatus.interrupted.rawValue), verdict: "interrupted", summary: "not started") }
        let (verdict, code) = Self.sweepVerdict(all)
        let order = ["diverged", "not replayed", "interrupted", "identical numbers", "identical"]
        let counts = Dictionary(grouping: all, by: \.verdict)
            .sorted { (order.firstIndex(of: $0.key) ?? order.count, $0.key) < (order.firstIndex(of: $1.key) ?? order.count, $1.key) }
            .map { "\($0.value.count) \($0.key)" }.joined(separator: ", ")
        let summary = "\(all.count) point\(all.count == 1 ? "" : "s"): \(counts)"
        console.write("sweep \(sweep.id): \(verdict) (\(summary))\n")
        var file = SweepVerdict(sweep: sweep.id, sweepSeal: sweep.seal, verdict: verdict, summary: summary, at: RecordTime.string(Date()), points: all)
        if let canonical = try? RecordHash.canonicalJSON(file) { file.seal = RecordHash.hex(of: canonical) }
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        if let data = try? e.encode(file) {
            try? AtomicFile.write(data + Data("\n".utf8), to: out + "/verdict.json")
            console.error("sweep verdict written to \(out)/verdict.json\n")
        }
        if code != .ok { throw code.code }
    }

    /// The sweep's verdict from its points': identical only when every point is.
    static func sweepVerdict(_ points: [PointResult]) -> (String, ExitStatus) {
        if points.contains(where: { $0.verdict == "interrupted" }) { return ("interrupted", .interrupted) }
        if points.contains(where: { $0.verdict == Verdict.diverged.rawValue }) { return ("diverged", .diverged) }
        if points.contains(where: { $0.verdict == "not replayed" }) { return ("not all points replayed", .couldNot) }
        if points.contains(where: { $0.verdict == Verdict.identicalNumbers.rawValue }) { return ("identical numbers", .failed) }
        return ("identical", .ok)
    }

    /// The point's verdict file named in its log (`verdict written to …`), if it checks out against the record.
    static func verdict(inLog path: String, record: RunRecord) -> (String, VerdictFile)? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n").reversed() where line.hasPrefix("verdict written to ") {
            var file = String(line.dropFirst("verdict written to ".count))
            if let r = file.range(of: "/verdict.json") { file = String(file[..<r.upperBound]) }
            if case .valid(let v, _) = VerdictFile.check(path: file, record: record) { return (file, v) }
        }
        return nil
    }

    static func lastLine(of path: String) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return text.split(separator: "\n").last.map(String.init)
    }
}
