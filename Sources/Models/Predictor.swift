// The `predictor` assembly (the paper's setup, PredRNN-style): a stack of
// cells runs frame by frame over S = frames_in + frames_out − 1 steps.
//   frames [B, T, C, H, W] → (patch p) x [B, C·p², H/p, W/p] → layers →
//   head (1×1 conv, no squashing) → depth-to-space → next frame [B, C, H, W]
// At step t the input is the true frame while t < frames_in, afterwards the
// previous prediction (gradients flow through it) or — in training with
// scheduled sampling — per sequence, the true frame where the mask says so.
// Steps frames_in − 1 … S − 1 give the frames_out predictions.
import TensorEngine

/// For each sequence of a batch and each step after the first frames_in,
/// whether the true frame replaces the model's prediction: [B][frames_out − 1].
public typealias SamplingMask = [[Bool]]

extension Model {
    /// Predictions [B, frames_out, C, H, W] from frames [B, T, C, H, W].
    /// Needs T ≥ frames_in; with a sampling mask, T ≥ frames_in + frames_out − 1.
    /// `probe` (layer from 1) records that layer's attention rows at every step.
    /// `shouldStop` is checked before every recurrent step; true abandons the
    /// pass with `ModelInterrupted` (so Ctrl-C need not wait for a long pass).
    func predictorForward(_ frames: Tensor, sampling: SamplingMask?, probe: (layer: Int, probe: AttentionProbe)?,
                          shouldStop: (() -> Bool)? = nil) throws -> Tensor {
        let c = config
        try checkFrames(frames, op: "forward", minFrames: sampling == nil ? c.framesIn : c.steps)
        let b = frames.shape[0], p = c.patch
        if let sampling {
            guard sampling.count == b, sampling.allSatisfy({ $0.count == c.framesOut - 1 }) else {
                throw ModelError.badInput(op: "forward", detail: "sampling mask must be [\(b)][\(c.framesOut - 1)] (batch × frames_out − 1)")
            }
        }
        var states = cells.map { $0.initialState(batch: b) }
        var previous: Tensor? = nil
        var predictions: [Tensor] = []
        for t in 0..<c.steps {
            if shouldStop?() == true { throw ModelInterrupted() }
            let frame: Tensor                                                 // [B, C, H, W]
            if t < c.framesIn {
                frame = try frames.select(axis: 1, index: t)
            } else if let sampling {
                let keep = sampling.map { $0[t - c.framesIn] }
                if keep.allSatisfy({ $0 }) {
                    frame = try frames.select(axis: 1, index: t)
                } else if !keep.contains(true) {
                    frame = previous!
                } else {
                    // keep·truth + (1 − keep)·prediction, per sequence (as PyTorch computes it)
                    let k = try Tensor(keep.map { $0 ? 1 : 0 }, shape: [b, 1, 1, 1])
                    let truth = try frames.select(axis: 1, index: t)
                    frame = try truth.mul(k).add(try previous!.mul(k.scaled(by: -1, plus: 1)))
                }
            } else {
                frame = previous!
            }
            var x = p > 1 ? try frame.spaceToDepth(p) : frame                 // [B, C·p², H/p, W/p]
            for (i, cell) in cells.enumerated() {
                states[i] = try cell.step(x, states[i], probe: probe?.layer == i + 1 ? probe?.probe : nil)
                x = states[i].h
            }
            var y = try head!(x)                                              // [B, C·p², H/p, W/p]
            if p > 1 { y = try y.depthToSpace(p) }                            // [B, C, H, W]
            previous = y
            if t >= c.framesIn - 1 {
                predictions.append(try y.reshaped([b, 1, c.channels, c.height, c.width]))
            }
        }
        return try Tensor.concat(predictions, axis: 1)                        // [B, frames_out, C, H, W]
    }

    /// Throws unless `x` is [B, T, C, H, W] with this model's C, H, W and enough frames.
    func checkFrames(_ x: Tensor, op: String, minFrames: Int, exactFrames: Bool = false) throws {
        let c = config
        let want = "[B, T, \(c.channels), \(c.height), \(c.width)]"
        guard x.rank == 5, x.shape[2] == c.channels, x.shape[3] == c.height, x.shape[4] == c.width else {
            throw ModelError.badInput(op: op, detail: "input of shape \(describeShape(x.shape)) does not fit the model: need \(want) (batch, time, channels, height, width)")
        }
        guard x.shape[0] >= 1 else { throw ModelError.badInput(op: op, detail: "empty batch") }
        if exactFrames {
            guard x.shape[1] == minFrames else {
                throw ModelError.badInput(op: op, detail: "a seq2seq model takes exactly frames_in = \(minFrames) frames (its LayerNorm spans [C, T, H, W]); got \(x.shape[1])")
            }
        } else if x.shape[1] < minFrames {
            throw ModelError.badInput(op: op, detail: "need at least \(minFrames) frames, got \(x.shape[1]) in \(describeShape(x.shape))")
        }
    }
}
