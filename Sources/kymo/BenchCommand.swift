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

    func validate() throws {
        guard ["engine", "models", "scaling"].contains(suite) else {
            throw ValidationError("unknown benchmark suite '\(suite)' (choose engine, models or scaling)")
        }
    }

    func run() throws {
        if suite == "scaling" { return try runScaling() }   // BenchScaling.swift (it prints its own header; --threads is a list there)
        try ThreadCount.configure(try threads?.single("--threads"))
        print("kymo bench \(suite): \(Engine.threads) thread(s), \(ProcessInfo.processInfo.activeProcessorCount) cores, CPU \(Numerics.cpuName)")
        print("GEMM path: \(Numerics.gemmPath); numerics \(Numerics.version) (OpenBLAS \(OpenBLAS.core): comparison only)")
        switch suite {
        case "engine": try runEngine()
        case "models": try runModels()
        default: throw ValidationError("unknown benchmark suite '\(suite)' (choose engine, models or scaling)")
        }
    }

    func runEngine() throws {
        let peak = EngineBenchmark.fmaPeakPerCore()
        let usable = peak * Double(Engine.threads)
        print(String(format: "FMA peak: %.1f GFLOP/s per core, %.1f on %d thread(s)", peak, usable, Engine.threads))
        var rows: [BenchResult] = []
        for n in [256, 2048, 4096] { rows.append(try EngineBenchmark.gemm(m: 256, k: 1152, n: n, repeats: repeats)) }
        rows += try EngineBenchmark.conv(batch: 8, cin: 128, cout: 256, size: 16, repeats: repeats)
        rows += try EngineBenchmark.conv(batch: 8, cin: 128, cout: 256, size: 64, repeats: max(1, repeats / 2))
        let torch = noTorch ? nil : runTorch(["engine", "--threads", "\(Engine.threads)", "--repeats", "\(repeats)"])
        printTable(rows: rows, torch: torch, peak: usable)
        print("\nGEMM paths beside OpenBLAS (same product; OpenBLAS with \(Engine.threads) of its own threads):")
        for n in [256, 2048, 4096] {
            let results = try EngineBenchmark.gemmComparison(m: 256, k: 1152, n: n, repeats: repeats)
                + [OpenBLAS.sgemm(m: 256, k: 1152, n: n, threads: Engine.threads, repeats: repeats)]
            for r in results {
                print(r.name.padding(toLength: 62, withPad: " ", startingAt: 0)
                      + String(format: "  %7.2f ms  %7.1f GFLOP/s  %4.0f%%", r.seconds * 1e3, r.gflops, 100 * r.gflops / usable))
            }
        }
    }

    @Option(help: "Training steps timed per model (after one warm-up step).")
    var steps: Int = 3

    @Flag(help: "Reduced shapes (32×32, hidden 32, batch 4) for a quick look.")
    var quick = false

    /// Training steps of the three families at the issue's shapes, beside PyTorch's.
    func runModels() throws {
        let cases = quick ? TrainingBenchmarkCase.reduced() : TrainingBenchmarkCase.standard()
        let results = try benchmarkTraining(cases: cases, steps: steps, warmup: 1, threads: Engine.threads) { line in
            print("  " + line)
        }
        var torchArgs = ["models", "--threads", "\(Engine.threads)", "--repeats", "\(steps)"]
        if quick { torchArgs.append("--quick") }
        let torch = noTorch ? nil : runTorch(torchArgs)
        var torchTimes: [String: Double] = [:]
        for r in (torch?["results"] as? [[String: Any]]) ?? [] {
            if let name = r["name"] as? String, let t = (r["median_s"] as? NSNumber)?.doubleValue { torchTimes[name] = t }
        }
        let skipped = Set(((torch?["skipped"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String })
        let header = "case".padding(toLength: 20, withPad: " ", startingAt: 0)
            + "  train s/step  GFLOP/s  batch s/step  peak RSS   torch s/step  torch/train  torch/batch"
        print(header)
        print(String(repeating: "-", count: header.count))
        for r in results {
            var line = r.name.padding(toLength: 20, withPad: " ", startingAt: 0)
            let rss = r.peakRSS.map { String(format: "%6.2f GiB", Double($0) / 1073741824) } ?? "     -    "
            line += String(format: "  %12.3f  %7.1f  %12.3f  ", r.secondsPerStep, r.gflops, r.batchSecondsPerStep) + rss
            if let t = torchTimes[r.name] {
                line += String(format: "   %12.3f  %10.2fx  %10.2fx", t, t / r.secondsPerStep, t / r.batchSecondsPerStep)
            } else if skipped.contains(r.name) {
                line += "   out of memory (PyTorch keeps every N×N map)"
            } else {
                line += "              -            -            -"
            }
            print(line)
        }
        print("train: the step train(...) runs (one forward and backward per sample, gradients summed in sample order,")
        print("the same bits for any process count); batch: one forward and backward of the whole batch, PyTorch's step.")
        if let torch, let v = torch["torch"] {
            print("PyTorch \(v), \(torch["threads"] ?? "?") thread(s); torch/kymo > 1 means Kymo is faster.")
        } else if quick {
            print("PyTorch not importable: run `pip install torch` to see it side by side.")
        }
    }

    /// Kymo's rows beside bench_torch.py's `results`, which come in the same order.
    func printTable(rows: [BenchResult], torch: [String: Any]?, peak: Double) {
        let torchTimes = ((torch?["results"] as? [[String: Any]]) ?? []).map { ($0["median_s"] as? NSNumber)?.doubleValue }
        let header = "op".padding(toLength: 52, withPad: " ", startingAt: 0)
            + "  kymo ms  GFLOP/s  %peak   torch ms  GFLOP/s  torch/kymo"
        print(header)
        print(String(repeating: "-", count: header.count))
        for (i, row) in rows.enumerated() {
            var line = row.name.padding(toLength: 52, withPad: " ", startingAt: 0)
            line += String(format: "  %7.2f  %7.1f  %4.0f%%", row.seconds * 1e3, row.gflops, 100 * row.gflops / peak)
            if i < torchTimes.count, let t = torchTimes[i] {
                line += String(format: "   %8.2f  %7.1f  %9.2fx", t * 1e3, row.flops / t / 1e9, t / row.seconds)
            } else {
                line += "          -        -           -"
            }
            print(line)
        }
        print("conv2d GFLOP/s count the direct convolution's multiply-adds; Kymo's 3×3 convolutions use Winograd,")
        print("which needs 2.25× fewer, so their effective rate can exceed the FMA peak.")
        if let torch, let v = torch["torch"] {
            print("PyTorch \(v) (\(torch["blas"] ?? "?")), \(torch["threads"] ?? "?") thread(s); torch/kymo > 1 means Kymo is faster.")
            if let before = torch["loadavg_before"] as? [NSNumber], let b = before.first {
                print(String(format: "Load average before the PyTorch run: %.2f (an idle machine reads near 0; other work skews both columns).", b.doubleValue))
            }
        }
        else if !noTorch { print("PyTorch not importable: run `pip install torch` to see it side by side.") }
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
