// BenchReport: what `kymo bench SUITE --json` prints (format `kymo-bench-1`,
// docs/records.md "Machine-readable output"): the machine, the GEMM path and
// its FMA peak, and the suite's rows — the same numbers the tables show, in
// seconds and GFLOP/s, PyTorch's beside them when it ran. Stable: fields are
// only ever added. Timings, never bits: nothing here is compared by a replay.

import Foundation
import TensorEngine

struct BenchReport: Encodable {
    var format = "kymo-bench-1"
    var suite: String
    var threads: Int
    var cores = ProcessInfo.processInfo.activeProcessorCount
    var cpu = Numerics.cpuName
    var gemmPath = Numerics.gemmPath
    var numerics = Numerics.version
    /// The FMA peak at the GEMM path's vector width: of one thread, and of
    /// `threads` threads at once (what every percentOfPeak is against).
    var fmaPeak: Peak?
    /// PyTorch's version when it ran beside Kymo.
    var torch: String?
    var engine: [EngineRow]?
    var models: [ModelRow]?
    var scaling: [ScalingFigure]?

    struct Peak: Encodable {
        var label: String
        var gflopsPerCore: Double
        var threads: Int
        var gflopsOnThreads: Double
    }

    struct EngineRow: Encodable {
        var name: String
        var seconds: Double
        var gflops: Double
        /// Of the path's FMA peak on the threads it ran with (measured at once).
        var percentOfPeak: Double
        var torchSeconds: Double?
    }

    struct ModelRow: Encodable {
        var name: String
        var trainSecondsPerStep: Double
        var cpuSecondsPerStep: Double
        var gflops: Double
        var percentOfPeak: Double
        /// A real recorded run's Train cell duration / steps (nil with --run-steps 0).
        var runSecondsPerStep: Double?
        var batchSecondsPerStep: Double
        var peakRSSBytes: Int?
        var torchSecondsPerStep: Double?
    }

    struct ScalingFigure: Encodable {
        var model: String
        var procs: Int
        var threads: Int
        var parameters: Int
        var batch: Int
        var stepSeconds: Double
        var computeSeconds: Double
        var gatherSeconds: Double
        var sumSeconds: Double
        var bytesPerStep: Double
        /// Against the model's first measured configuration.
        var speedup: Double
        var efficiency: Double
        var stopsPaying: Bool
    }
}
