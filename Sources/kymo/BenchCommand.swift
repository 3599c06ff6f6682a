// `kymo bench [engine|models]`: performance tables, Kymo beside PyTorch (when
// importable) on the same shapes and the same thread count, in one run.
import ArgumentParser
import Foundation
import TensorEngine
import Models
import KymoLanguage
import Notebook

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Performance tables: Kymo beside PyTorch (when importable) on the same shapes and threads.",
        discussion: """
            EXAMPLES:
              kymo bench engine --threads 1
              kymo bench models --no-torch
              kymo bench scaling --procs 1,2 --threads 1
            """)

    @Argument(help: "What to measure: engine, models or scaling (processes × threads under mpirun).", completion: .list(["engine", "models", "scaling"]))
    var suite: String = "engine"

    @Option(help: "Worker threads (results never depend on it); scaling: a list, --threads 1,2 (default 1).")
    var threads: CountList?

    @Option(help: "Scaling: processes to measure, a list, --procs 1,2,4 (default 1,2).")
    var procs: CountList?

    @Option(help: "Timed repetitions per measurement (median is shown).")
    var repeats: Int = 5

    @Flag(help: "Skip the PyTorch side even when it is importable.")
    var noTorch = false

    @Flag(help: "The measurements as JSON on standard output (format kymo-bench-1); the tables then go to standard error.")
    var json = false

    /// A line of the human-readable report: standard output, or standard error
    /// under --json (standard output then carries only the JSON).
    func say(_ line: String = "", terminator: String = "\n") {
        let bytes = Data((line + terminator).utf8)
        if json { FileHandle.standardError.write(bytes) } else { FileHandle.standardOutput.write(bytes) }
    }

    func validate() throws {
        guard ["engine", "models", "scaling"].contains(suite) else {
            throw ValidationError("unknown benchmark suite '\(suite)' (choose engine, models or scaling)")
        }
        _ = try selectedCases(TrainingBenchmarkCase.standard())   // an unknown --cases name before any measuring
    }

    func run() throws {
        if suite == "scaling" { return try runScaling() }   // BenchScaling.swift (it prints its own header; --threads is a list there)
        try ThreadCount.configure(try threads?.single("--threads"))
        say("kymo bench \(suite): \(Engine.threads) thread(s), \(ProcessInfo.processInfo.activeProcessorCount) cores, CPU \(Numerics.cpuName)")
        say("GEMM path: \(Numerics.gemmPath); numerics \(Numerics.version) (OpenBLAS \(OpenBLAS.core): comparison only)")
        switch suite {
        case "engine": try runEngine()
        case "models": try runModels()
        default: throw ValidationError("unknown benchmark suite '\(suite)' (choose engine, models or scaling)")
        }
    }

    func runEngine() throws {
        let first = printPeak()
        var rows: [BenchResult] = []
        for n in [256, 2048, 4096] { rows.append(try EngineBenchmark.gemm(m: 256, k: 1152, n: n, repeats: repeats)) }
        rows += try EngineBenchmark.conv(batch: 8, cin: 128, cout: 256, size: 16, repeats: repeats)
        rows += try EngineBenchmark.conv(batch: 8, cin: 128, cout: 256, size: 64, repeats: max(1, repeats / 2))
        let torch = noTorch ? nil : runTorch(["engine", "--threads", "\(Engine.threads)", "--repeats", "\(repeats)"])
        let peak = peakAgain(first), usable = peak.gflopsOnThreads
        printTable(rows: rows, torch: torch, peak: usable, peakLabel: peak.label)
        say("\nGEMM paths beside OpenBLAS (same product; OpenBLAS with \(Engine.threads) of its own threads;")
        say("each Kymo path against the peak of its own vector width, OpenBLAS against the \(peak.label) peak):")
        var pathPeaks: [String: Double] = [:]
        for path in [Numerics.GemmPath.avx2, .avx512] {
            if let p = path == peak.path ? peak : EngineBenchmark.fmaPeak(path: path, threads: Engine.threads) {
                pathPeaks[path == .avx512 ? "avx512" : "avx2"] = p.gflopsOnThreads
            }
        }
        for n in [256, 2048, 4096] {
            let results = try EngineBenchmark.gemmComparison(m: 256, k: 1152, n: n, repeats: repeats)
                + [OpenBLAS.sgemm(m: 256, k: 1152, n: n, threads: Engine.threads, repeats: repeats)]
            for r in results {
                let own = r.name.contains("avx512") ? pathPeaks["avx512"] : r.name.contains("avx2") ? pathPeaks["avx2"] : nil
                say(r.name.padding(toLength: 62, withPad: " ", startingAt: 0)
                      + String(format: "  %7.2f ms  %7.1f GFLOP/s  %4.0f%%", r.seconds * 1e3, r.gflops, 100 * r.gflops / (own ?? usable)))
            }
        }
        if json {
            let torchTimes = ((torch?["results"] as? [[String: Any]]) ?? []).map { ($0["median_s"] as? NSNumber)?.doubleValue }
            var doc = report(peak: peak, torch: torch)
            doc.engine = rows.enumerated().map { i, r in
                BenchReport.EngineRow(name: r.name, seconds: r.seconds, gflops: r.gflops, percentOfPeak: 100 * r.gflops / usable,
                                      torchSeconds: i < torchTimes.count ? torchTimes[i] : nil)
            }
            JSONOutput.print(doc)
        }
    }

    /// Measures and prints the FMA peak of the GEMM path in use (and the other
    /// path's where this CPU runs both and they differ); returns the path's.
    func printPeak() -> FMAPeak {
        let peak = EngineBenchmark.fmaPeakPerCore(threads: Engine.threads)
        var line = "FMA peak (\(peak.label), the GEMM path's width): " + String(format: "%.1f GFLOP/s on one thread", peak.gflopsPerCore)
        if peak.threads > 1 {
            let ratio = peak.gflopsOnThreads / peak.gflopsPerCore
            line += String(format: ", %.1f on %d threads at once (%.2f× one", peak.gflopsOnThreads, peak.threads, ratio)
            line += ratio < 0.85 * Double(peak.threads) ? ": the threads share cores, or other work ran)" : ")"
        }
        say(line)
        let other: Numerics.GemmPath = peak.path == .avx512 ? .avx2 : .avx512
        if let o = EngineBenchmark.fmaPeak(path: other) {
            let ratio = peak.gflopsPerCore / o.gflopsPerCore
            let same = abs(ratio - 1) < 0.15
            let note = same ? "about the same: this CPU splits the wider vectors (double-pumped)"
                            : "different: every %peak below is against the \(peak.label) figure"
            say("FMA peak (\(o.label)): " + String(format: "%.1f GFLOP/s per core (%.2f× the path's; ", o.gflopsPerCore, 1 / ratio) + note + ")")
        }
        return peak
    }

    /// The path's peak measured again after the cases (and PyTorch's run): other
    /// work on the machine during either measurement can only lower it, so every
    /// %peak is against the faster of the two (`FMAPeak.faster`), and both are printed.
    func peakAgain(_ first: FMAPeak) -> FMAPeak {
        let again = EngineBenchmark.fmaPeakPerCore(threads: Engine.threads)
        let peak = first.faster(again)
        say(String(format: "FMA peak measured again after the cases: %.1f GFLOP/s on %d thread(s) (before: %.1f); %%peak is against %.1f",
                   again.gflopsOnThreads, again.threads, first.gflopsOnThreads, peak.gflopsOnThreads))
        return peak
    }

    @Option(help: "Training steps timed per model (after one warm-up step).")
    var steps: Int = 3

    @Flag(help: "Reduced shapes (32×32, hidden 32, batch 4) for a quick look.")
    var quick = false

    @Option(help: "Models: only these cases, a comma-separated list of names (predictor_convlstm, seq2seq_sa_convlstm, …).")
    var cases: String?

    @Option(help: "Steps of each case's real run (a notebook's train(...) under a run record, checkpoints included); 0 skips it.")
    var runSteps: Int = 10

    /// Training steps of the three families at the issue's shapes, beside PyTorch's:
    /// the bare leaf-wise step, the whole-batch step, and the step of a real
    /// recorded run (TrainingRunBench: the Train cell's duration / steps).
    func runModels() throws {
        let first = printPeak()
        let all = quick ? TrainingBenchmarkCase.reduced() : TrainingBenchmarkCase.standard()
        let cases = try selectedCases(all)
        let results = try benchmarkTraining(cases: cases, steps: steps, warmup: 1, threads: Engine.threads) { line in
            say("  " + line)
        }
        let runs = try realRuns(cases)
        var torchArgs = ["models", "--threads", "\(Engine.threads)", "--repeats", "\(steps)"]
        if quick { torchArgs.append("--quick") }
        let torch = noTorch ? nil : runTorch(torchArgs)
        var torchTimes: [String: Double] = [:]
        for r in (torch?["results"] as? [[String: Any]]) ?? [] {
            if let name = r["name"] as? String, let t = (r["median_s"] as? NSNumber)?.doubleValue { torchTimes[name] = t }
        }
        let skipped = Set(((torch?["skipped"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String })
        let peak = peakAgain(first), usable = peak.gflopsOnThreads
        let header = "case".padding(toLength: 20, withPad: " ", startingAt: 0)
            + "  train s/step  cpu s/step  GFLOP/s  %peak  run s/step  batch s/step  peak RSS   torch s/step  torch/train  torch/run  torch/batch"
        say(header)
        say(String(repeating: "-", count: header.count))
        for r in results {
            var line = r.name.padding(toLength: 20, withPad: " ", startingAt: 0)
            let rss = r.peakRSS.map { String(format: "%6.2f GiB", Double($0) / 1073741824) } ?? "     -    "
            let run = runs[r.name]
            line += String(format: "  %12.3f  %10.3f  %7.1f  %4.0f%%  ", r.secondsPerStep, r.cpuSecondsPerStep, r.gflops, 100 * r.gflops / usable)
                + (run.map { String(format: "%10.3f", $0.secondsPerStep) } ?? "         -")
                + String(format: "  %12.3f  ", r.batchSecondsPerStep) + rss
            if let t = torchTimes[r.name] {
                line += String(format: "   %12.3f  %10.2fx", t, t / r.secondsPerStep)
                    + (run.map { String(format: "  %8.2fx", t / $0.secondsPerStep) } ?? "          -")
                    + String(format: "  %10.2fx", t / r.batchSecondsPerStep)
            } else if skipped.contains(r.name) {
                line += "   out of memory (PyTorch keeps every N×N map)"
            } else {
                line += "              -            -          -            -"
            }
            say(line)
        }
        if json {
            var doc = report(peak: peak, torch: torch)
            doc.models = results.map { r in
                BenchReport.ModelRow(name: r.name, trainSecondsPerStep: r.secondsPerStep, cpuSecondsPerStep: r.cpuSecondsPerStep,
                                     gflops: r.gflops, percentOfPeak: 100 * r.gflops / usable, runSecondsPerStep: runs[r.name]?.secondsPerStep,
                                     batchSecondsPerStep: r.batchSecondsPerStep, peakRSSBytes: r.peakRSS, torchSecondsPerStep: torchTimes[r.name])
            }
            JSONOutput.print(doc)
        }
        say("train: the step train(...) runs (one forward and backward per sample, gradients summed in sample order,")
        say("the same bits for any process count); batch: one forward and backward of the whole batch, PyTorch's step.")
        say("cpu: process CPU seconds per train step, all threads (on a shared machine, cpu / threads is the step with the cores to itself).")
        say("%peak: train GFLOP/s against the \(peak.label) FMA peak of \(Engine.threads) thread(s) computing at once (the GEMM path's width;")
        say("the faster of its measurements before and after the cases).")
        if let any = runs.values.first {
            say("run: a notebook's train(...) of \(any.steps) steps in a recorded run (kymo run's path: data, batching, sampling,")
            say("progress, lanes, a checkpoint every \(ValueFormatter.number(any.checkpointSeconds)) s of wall-clock time and at the end): Train cell duration / steps.")
        }
        if let torch, let v = torch["torch"] {
            say("PyTorch \(v), \(torch["threads"] ?? "?") thread(s); torch/kymo > 1 means Kymo is faster.")
        } else if quick {
            say("PyTorch not importable: run `pip install torch` to see it side by side.")
        }
    }

    /// The cases named by `--cases` (all without it); an unknown name is an error listing the known ones.
    func selectedCases(_ all: [TrainingBenchmarkCase]) throws -> [TrainingBenchmarkCase] {
        guard let cases else { return all }
        let names = cases.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for n in names where !all.contains(where: { $0.name == n }) {
            throw ValidationError("unknown case '\(n)' for --cases (known: \(all.map(\.name).joined(separator: ", ")))")
        }
        return all.filter { names.contains($0.name) }
    }

    /// Each case as a real recorded run in a temporary runs folder (removed afterwards).
    func realRuns(_ cases: [TrainingBenchmarkCase]) throws -> [String: TrainingRunBench.Result] {
        guard runSteps > 0 else { return [:] }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kymo-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let console = Console()
        let host = RecordedRunHost.host(console: console, interrupt: InterruptFlag(), sharesRunID: false, output: BufferSink())
        var out: [String: TrainingRunBench.Result] = [:]
        for bc in cases {
            let r = try TrainingRunBench.run(bc, steps: runSteps, runsFolder: folder, workingDirectory: folder, host: host)
            say("  " + bc.name + String(format: ": run of %d steps, Train cell %.2f s, %.3f s/step", r.steps, r.trainCellSeconds, r.secondsPerStep))
            out[bc.name] = r
        }
        return out
    }

    /// Kymo's rows beside bench_torch.py's `results`, which come in the same order.
    func printTable(rows: [BenchResult], torch: [String: Any]?, peak: Double, peakLabel: String) {
        let torchTimes = ((torch?["results"] as? [[String: Any]]) ?? []).map { ($0["median_s"] as? NSNumber)?.doubleValue }
        let header = "op".padding(toLength: 52, withPad: " ", startingAt: 0)
            + "  kymo ms  GFLOP/s  %peak   torch ms  GFLOP/s  torch/kymo"
        say(header)
        say(String(repeating: "-", count: header.count))
        for (i, row) in rows.enumerated() {
            var line = row.name.padding(toLength: 52, withPad: " ", startingAt: 0)
            line += String(format: "  %7.2f  %7.1f  %4.0f%%", row.seconds * 1e3, row.gflops, 100 * row.gflops / peak)
            if i < torchTimes.count, let t = torchTimes[i] {
                line += String(format: "   %8.2f  %7.1f  %9.2fx", t * 1e3, row.flops / t / 1e9, t / row.seconds)
            } else {
                line += "          -        -           -"
            }
            say(line)
        }
        say("conv2d GFLOP/s count the direct convolution's multiply-adds; Kymo's 3×3 convolutions use Winograd,")
        say("which needs 2.25× fewer, so their effective rate can exceed the FMA peak. %peak: of the \(peakLabel) peak of the threads at once.")
        if let torch, let v = torch["torch"] {
            say("PyTorch \(v) (\(torch["blas"] ?? "?")), \(torch["threads"] ?? "?") thread(s); torch/kymo > 1 means Kymo is faster.")
            if let before = torch["loadavg_before"] as? [NSNumber], let b = before.first {
                say(String(format: "Load average before the PyTorch run: %.2f (an idle machine reads near 0; other work skews both columns).", b.doubleValue))
            }
        }
        else if !noTorch { say("PyTorch not importable: run `pip install torch` to see it side by side.") }
    }

    /// The --json report's common part: the machine, the path's peak, PyTorch's version.
    func report(peak: FMAPeak?, torch: [String: Any]?) -> BenchReport {
        BenchReport(suite: suite, threads: Engine.threads,
                    fmaPeak: peak.map { BenchReport.Peak(label: $0.label, gflopsPerCore: $0.gflopsPerCore,
                                                                      threads: $0.threads, gflopsOnThreads: $0.gflopsOnThreads) },
                    torch: torch?["torch"].map { "\($0)" })
    }

    /// Runs reference/bench_torch.py with the same settings; nil when PyTorch is unavailable.
    func runTorch(_ args: [String]) -> [String: Any]? {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("reference/bench_torch.py").path
        guard FileManager.default.fileExists(atPath: script) else { return nil }
        var env = ProcessInfo.processInfo.environment
        env["OMP_NUM_THREADS"] = "\(Engine.threads)"
        guard let output = captureOutput(of: "/usr/bin/env", ["python3", script] + args, environment: env) else { return nil }
        let line = output.split(separator: "\n").last.map(String.init) ?? ""
        return (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }
}
