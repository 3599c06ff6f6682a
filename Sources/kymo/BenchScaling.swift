// `kymo bench scaling [--procs 1,2,4] [--threads 1,2] [--steps S] [--quick]`:
// per training step, time, compute, all-gather and bytes exchanged for each
// processes × threads configuration, on a small and a larger ConvLSTM
// (`--quick`: the small one) with synthetic sequences, with the speedup and
// efficiency over the first configuration and the point where adding workers
// stops paying; then docs/engine.md's model of where communication overtakes
// compute, from the measured numbers. Without a launcher it starts this
// binary (RunningExecutable) under `mpirun` once per configuration; under
// mpirun it is the worker, and rank 0 prints one `scaling` line per model.
//   compute    step time minus the all-gather (forward + backward of this
//              rank's leaves, and the optimizer update)
//   gather     the all-gather of the leaf buffers (communication and waiting)
//   sum        the leaf-order sum of B leaf buffers of P floats (measured alone)
//   bytes      bytes this rank received per step (B − own leaves) · (1 + P) · 4
import ArgumentParser
import Foundation
import KymoBase
import Models
import TensorEngine

/// A comma-separated list of positive counts (`--procs 1,2,4`, `--threads 1,2`).
struct CountList: ExpressibleByArgument {
    var values: [Int]
    init?(argument: String) {
        let parts = argument.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? 0) >= 1 }) else { return nil }
        values = parts.map { $0! }
    }
    /// The one value of an option that takes a single count.
    func single(_ option: String) throws -> Int {
        guard values.count == 1 else { throw ValidationError("\(option) takes one number here (lists are for kymo bench scaling)") }
        return values[0]
    }
}

struct ScalingCase {
    var name: String
    var config: ModelConfig
    var batch: Int
    var frames: Int

    static let all = [
        ScalingCase(name: "small", config: ModelConfig(family: .convlstm, mode: .predictor, layers: 1, hidden: 16, kernel: 3, size: 32,
                                                       channels: 1, patch: 4, framesIn: 5, framesOut: 5, activation: .tanh, attentionHidden: 4),
                    batch: 8, frames: 10),
        ScalingCase(name: "larger", config: ModelConfig(family: .convlstm, mode: .predictor, layers: 2, hidden: 64, kernel: 3, size: 64,
                                                        channels: 1, patch: 4, framesIn: 5, framesOut: 5, activation: .tanh, attentionHidden: 4),
                    batch: 8, frames: 10),
    ]
}

/// One measured configuration of one model (a worker's `scaling` line).
struct ScalingRow {
    var model: String, procs: Int, threads: Int, params: Int, batch: Int
    var step: Double, compute: Double, gather: Double, sum: Double, bytes: Double

    var line: String {
        "scaling \(model) \(procs) \(threads) \(params) \(batch) \(step) \(compute) \(gather) \(sum) \(bytes)"
    }
    init(model: String, procs: Int, threads: Int, params: Int, batch: Int, step: Double, compute: Double, gather: Double, sum: Double, bytes: Double) {
        self.model = model; self.procs = procs; self.threads = threads; self.params = params; self.batch = batch
        self.step = step; self.compute = compute; self.gather = gather; self.sum = sum; self.bytes = bytes
    }
    init?(line: Substring) {
        let f = line.split(separator: " ")
        guard f.count == 11, f[0] == "scaling", let p = Int(f[2]), let t = Int(f[3]), let n = Int(f[4]), let b = Int(f[5]) else { return nil }
        let d = f[6...].compactMap { Double($0) }
        guard d.count == 5 else { return nil }
        self.init(model: String(f[1]), procs: p, threads: t, params: n, batch: b,
                  step: d[0], compute: d[1], gather: d[2], sum: d[3], bytes: d[4])
    }
}

extension Bench {
    func runScaling() throws {
        let cases = quick ? [ScalingCase.all[0]] : ScalingCase.all
        if let g = MPIJob.current {
            try ThreadCount.configure(try threads?.single("--threads"))   // one rank of one measurement: one thread count
            for c in cases { try scalingWorker(c, group: g) }
            return
        }
        guard let mpirun = MPIJob.mpirun else { throw ValidationError("kymo bench scaling needs mpirun (apt-get install openmpi-bin libopenmpi-dev)") }
        let procsList = procs?.values ?? [1, 2], threadsList = threads?.values ?? [1]
        say("kymo bench scaling: \(ProcessInfo.processInfo.activeProcessorCount) cores, CPU \(Numerics.cpuName); \(steps) timed step(s) after one warm-up; speedup and efficiency against \(procsList[0]) × \(threadsList[0])")
        var rows: [ScalingRow] = []
        var notes = Set<String>()
        for p in procsList {
            for t in threadsList {
                var args = ["bench", "scaling", "--threads", "\(t)", "--steps", "\(steps)"]
                if quick { args.append("--quick") }
                let (mpiArgs, said) = MPIJob.launchArguments(procs: p, arguments: args)
                for n in said where notes.insert(n).inserted { FileHandle.standardError.write(Data("kymo bench: \(n)\n".utf8)) }
                let (status, out, err) = Bench.execute(mpirun, mpiArgs)
                guard status == 0 else {
                    FileHandle.standardError.write(Data("kymo bench scaling: mpirun -np \(p) (threads \(t)) failed with status \(status):\n\(err)\(out)".utf8))
                    throw ExitStatus.couldNot.code
                }
                rows += out.split(separator: "\n").compactMap(ScalingRow.init(line:))
            }
        }
        say(Bench.scalingTable(rows, cases: cases.map(\.name)), terminator: "")
        if json {
            var doc = report(peak: nil, torch: nil)
            doc.threads = threadsList.max() ?? 1
            doc.scaling = Bench.scalingFigures(rows, cases: cases.map(\.name)).map { f in
                let r = f.row
                return BenchReport.ScalingFigure(model: r.model, procs: r.procs, threads: r.threads, parameters: r.params, batch: r.batch,
                                                 stepSeconds: r.step, computeSeconds: r.compute, gatherSeconds: r.gather, sumSeconds: r.sum,
                                                 bytesPerStep: r.bytes, speedup: f.speedup, efficiency: f.efficiency, stopsPaying: f.stopsPaying)
            }
            JSONOutput.print(doc)
        }
    }

    /// The table: one block per model, speedup and efficiency against the model's first row,
    /// "stops paying" where a row is no faster than the best before it with fewer workers.
    /// Per row: speedup and efficiency against the model's first row, and
    /// whether it is where adding workers stops paying (no faster than the best before it).
    static func scalingFigures(_ rows: [ScalingRow], cases: [String]) -> [(row: ScalingRow, speedup: Double, efficiency: Double, stopsPaying: Bool)] {
        var out: [(row: ScalingRow, speedup: Double, efficiency: Double, stopsPaying: Bool)] = []
        for name in cases {
            let mine = rows.filter { $0.model == name }
            guard let base = mine.first else { continue }
            var best = Double.infinity
            var stopped = false
            for r in mine {
                let speedup = base.step / r.step
                let efficiency = speedup * Double(base.procs * base.threads) / Double(r.procs * r.threads)
                let stops = r.procs * r.threads > base.procs * base.threads && !stopped && r.step >= best
                if stops { stopped = true }
                best = min(best, r.step)
                out.append((r, speedup, efficiency, stops))
            }
        }
        return out
    }

    static func scalingTable(_ rows: [ScalingRow], cases: [String]) -> String {
        var table: [[String]] = [["model", "procs×threads", "params", "B", "step s", "compute s", "gather s", "sum s", "bytes/step", "speedup", "efficiency", ""]]
        var model = ""
        for f in scalingFigures(rows, cases: cases) {
            let r = f.row
            table.append([r.model, "\(r.procs)×\(r.threads)", "\(r.params)", "\(r.batch)", String(format: "%.4f", r.step),
                          String(format: "%.4f", r.compute), String(format: "%.5f", r.gather), String(format: "%.5f", r.sum),
                          String(format: "%.0f", r.bytes), String(format: "%.2f", f.speedup), String(format: "%.0f%%", 100 * f.efficiency),
                          f.stopsPaying ? "← stops paying" : ""])
        }
        for name in cases {
            let mine = rows.filter { $0.model == name }
            // docs/engine.md: communication (≈ 0.9 ns per parameter per sample) overtakes compute (T₁ per sample) at N ≈ T₁ / (0.9 ns · P).
            if let one = mine.first(where: { $0.procs == 1 && $0.threads == 1 }) ?? mine.first {
                let perSample = one.compute * Double(one.procs * one.threads) / Double(one.batch)
                let n = perSample / (0.9e-9 * Double(one.params))
                model += "\(name): " + String(format: "%.4f s compute per sample on one worker, %d parameters: communication overtakes compute at ≈ %.0f nodes of one sample each (10 GB/s links; docs/engine.md)\n",
                                                  perSample, one.params, n)
            }
        }
        return TextTable.render(table, align: [.left, .right, .right, .right, .right, .right, .right, .right, .right, .right, .right, .left], rule: true)
            + (model.isEmpty ? "" : "\nwhere it stops paying across nodes, by docs/engine.md's model:\n" + model)
    }

    /// Runs `exe args` to its end; its status, standard output and standard error.
    static func execute(_ exe: String, _ args: [String]) -> (Int32, String, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        do { try p.run() } catch { return (127, "", "cannot start \(exe): \(error)\n") }
        // Standard error is read on another thread, so neither pipe can fill and stall the child.
        let errBox = ErrorText()
        let reader = Thread { errBox.text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }
        reader.start()
        let o = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        while !errBox.done { usleep(1_000) }
        return (p.terminationStatus, o, errBox.text)
    }

    func scalingWorker(_ c: ScalingCase, group: MPIGroup) throws {
        let n = 16
        var s = RandomStream(seed: 1, name: "bench/scaling")
        let data = Tensor(uninitialized: [n, c.frames, 1, c.config.size, c.config.size])
        data.withMutableData { p in
            for i in 0..<p.count { p[i] = Float(s.nextDouble()) }
        }
        let model = try Model(config: c.config, seed: 1)
        var options = TrainingOptions(steps: steps + 1, batchSize: c.batch, seed: 1)
        options.sampling = .off
        let trainer = try Trainer(model: model, train: try BatchSource(sequences: data), options: options)
        trainer.group = group
        try trainer.trainStep()   // warm-up
        let p = model.namedParameters.reduce(0) { $0 + $1.tensor.count }
        let g0 = group.gatherSeconds, r0 = group.world.bytesReceived
        let t0 = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<steps { try trainer.trainStep() }
        let total = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9 / Double(steps)
        let gather = (group.gatherSeconds - g0) / Double(steps)
        let bytes = (group.world.bytesReceived - r0) / steps
        // The leaf-order sum alone, on the same sizes.
        let flat = [Float](repeating: 1, count: c.batch * (1 + p))
        var out = [Float](repeating: 0, count: p)
        let t1 = DispatchTime.now().uptimeNanoseconds
        flat.withUnsafeBufferPointer { f in out.withUnsafeMutableBufferPointer { o in
            LeafReduction.sum(f, leaves: c.batch, stride: 1 + p, offset: 1, length: p, into: o.baseAddress!)
        } }
        let sum = Double(DispatchTime.now().uptimeNanoseconds - t1) / 1e9
        // Every rank takes part; rank 0 reports the slowest rank's numbers.
        let mine = [total, gather, Double(bytes)]
        let all = try group.allGather(doubles: mine, counts: Array(repeating: 3, count: group.size))
        guard group.rank == 0 else { return }
        let worst = (0..<group.size).max { all[3 * $0] < all[3 * $1] }!
        let step = all[3 * worst], gat = all[3 * worst + 1]
        let maxBytes = (0..<group.size).map { all[3 * $0 + 2] }.max()!
        print(ScalingRow(model: c.name, procs: group.size, threads: Engine.threads, params: p, batch: c.batch,
                         step: step, compute: step - gat, gather: gat, sum: sum, bytes: maxBytes).line)
    }
}

/// Standard error of a child, read on another thread.
private final class ErrorText: @unchecked Sendable {
    private let lock = NSLock()
    private var _text = "", _done = false
    var text: String {
        get { lock.lock(); defer { lock.unlock() }; return _text }
        set { lock.lock(); _text = newValue; _done = true; lock.unlock() }
    }
    var done: Bool { lock.lock(); defer { lock.unlock() }; return _done }
}
