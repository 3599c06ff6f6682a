// `kymo bench scaling`: per training step, compute time, bytes exchanged and
// reduction time for processes × threads (1 × 2 and 2 × 1 by default), for a
// small and a larger ConvLSTM on synthetic sequences. Without a launcher it
// starts `mpirun` once per configuration and prints the table; under
// mpirun it is the worker, and rank 0 prints one line per model.
//   compute    step time minus the all-gather (forward + backward of this
//              rank's leaves, and the optimizer update)
//   gather     the all-gather of the leaf buffers (communication and waiting)
//   sum        the leaf-order sum of B leaf buffers of P floats (measured alone)
//   bytes      bytes this rank received per step (B − own leaves) · (1 + P) · 4
import ArgumentParser
import Foundation
import Models
import TensorEngine

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

extension Bench {
    func runScaling() throws {
        if let g = MPIJob.current {
            for c in ScalingCase.all { try scalingWorker(c, group: g) }
            return
        }
        let mpirun = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let mpirun else { throw ValidationError("kymo bench scaling needs mpirun (apt-get install openmpi-bin libopenmpi-dev)") }
        print("model   procs×threads  params     B  step s   compute s  gather s  sum s     bytes/step")
        for (procs, threads) in [(1, 2), (2, 1)] {
            var args = ["-np", "\(procs)", "--oversubscribe"]
            if getuid() == 0 { args.append("--allow-run-as-root") }
            args += [CommandLine.arguments[0].hasPrefix("/") ? CommandLine.arguments[0] : FileManager.default.currentDirectoryPath + "/" + CommandLine.arguments[0],
                     "bench", "scaling", "--threads", "\(threads)", "--steps", "\(steps)"]
            let out = captureOutput(of: mpirun, args) ?? "  (mpirun -np \(procs) failed)\n"
            print(out.split(separator: "\n").filter { !$0.hasPrefix("kymo bench") }.joined(separator: "\n"))
        }
    }

    func scalingWorker(_ c: ScalingCase, group: MPIGroup) throws {
        let n = 16
        var s = RandomStream(seed: 1, name: "bench/scaling")
        let data = Tensor(uninitialized: [n, c.frames, 1, c.config.size, c.config.size])
        for i in 0..<data.count { data.data[i] = Float(s.nextDouble()) }
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
        var wholeBatch = ""
        if group.size == 1 {
            // Today's alternative: one forward and backward over the whole batch (not leaf-wise).
            let batch = try BatchSource(sequences: data).load(Array(0..<c.batch))
            let target = try batch.slice(axis: 1, start: c.config.framesIn, length: c.config.framesOut).contiguous()
            _ = try model.gradients(input: batch, target: target)
            let t2 = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<steps { _ = try model.gradients(input: batch, target: target) }
            wholeBatch = String(format: "   (whole-batch forward+backward, no update: %.4f s)", Double(DispatchTime.now().uptimeNanoseconds - t2) / 1e9 / Double(steps))
        }
        print(String(format: "%-7@ %d×%-12d %-10d %-2d %-8.4f %-10.4f %-9.5f %-9.5f %.0f", c.name as NSString, group.size, Engine.threads,
                     p, c.batch, step, step - gat, gat, sum, maxBytes) + wholeBatch)
    }
}
