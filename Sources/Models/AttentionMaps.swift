// AttentionMaps: for one sequence, a layer and a query pixel, the row of the
// hidden-state attention A_h (SA: attention_h; SAM: the memory module's A_h)
// at every recurrent step — computed from q and k alone, one row per step, so
// no N×N matrix is ever formed.
//   maps [steps, H/p, W/p] on the grid the cells run on (patch p; p = 1: pixels)
//   steps = frames_in + frames_out − 1 (predictor, fed its own predictions
//           after frames_in, as in `predict`) or frames_in (seq2seq)
// With patching the query pixel (y, x) lies in patch (y/p, x/p), whose row is
// returned; `pixelMaps()` spreads each patch's weight evenly over its p×p
// pixels, so a map on the frame still sums to 1 (what `attention(...)` in a
// notebook returns, [steps, H, W]).
import TensorEngine

public struct AttentionMaps {
    /// [steps, H/p, W/p]: each step's attention row on the cell grid (rows sum to 1).
    public let maps: Tensor
    /// The patch size (1: the grid is the pixel grid).
    public let patch: Int
    /// The query pixel (y, x) asked for.
    public let query: (y: Int, x: Int)
    /// Its cell on the grid (y/p, x/p).
    public let gridQuery: (y: Int, x: Int)
    /// The layer (from 1).
    public let layer: Int

    /// [steps, H, W] on the frame's pixels: patch weights divided evenly over
    /// their p×p pixels (each map still sums to 1).
    public func pixelMaps() throws -> Tensor {
        if patch == 1 { return maps }
        let s = maps.shape[0], gh = maps.shape[1], gw = maps.shape[2], p = patch
        let height = gh * p, width = gw * p
        let out = Tensor(uninitialized: [s, height, width])
        let scale = 1 / Float(p * p)
        maps.withContiguousData { src in
            out.withMutableData { dst in
                for t in 0..<s {
                    for y in 0..<height {
                        for x in 0..<width {
                            dst[(t * height + y) * width + x] = src[(t * gh + y / p) * gw + x / p] * scale
                        }
                    }
                }
            }
        }
        return out
    }
}

extension Model {
    /// Attention rows of layer `layer` (from 1) for query pixel `query` (y, x)
    /// over one sequence [T, C, H, W] (or [1, T, C, H, W]); T ≥ frames_in, and
    /// only the first frames_in frames are read. ConvLSTM has no attention.
    public func attentionMaps(sequence: Tensor, layer: Int, query: (y: Int, x: Int)) throws -> AttentionMaps {
        let c = config
        guard c.family.hasAttention else { throw ModelError.noAttention(family: c.family.displayName) }
        guard layer >= 1 && layer <= c.layers else {
            throw ModelError.badInput(op: "attention", detail: "layer \(layer) does not exist; the model has layers 1…\(c.layers)")
        }
        guard query.y >= 0, query.y < c.height, query.x >= 0, query.x < c.width else {
            throw ModelError.badInput(op: "attention", detail: "query [\(query.y), \(query.x)] lies outside the \(c.height)×\(c.width) frame")
        }
        let x: Tensor
        if sequence.rank == 4 {
            x = try sequence.reshaped([1] + sequence.shape)
        } else if sequence.rank == 5 && sequence.shape[0] == 1 {
            x = sequence
        } else {
            throw ModelError.badInput(op: "attention", detail: "expects one sequence [T, C, H, W], got \(describeShape(sequence.shape))")
        }
        try checkFrames(x, op: "attention", minFrames: c.framesIn)
        let gy = query.y / c.patch, gx = query.x / c.patch, gh = c.gridHeight, gw = c.gridWidth
        let probe = AttentionProbe(queries: [gy * gw + gx])
        try withNoGrad {
            switch c.mode {
            case .predictor:
                _ = try predictorForward(try x.slice(axis: 1, start: 0, length: c.framesIn), sampling: nil, probe: (layer, probe))
            case .seq2seq:
                _ = try seq2seqForward(try x.slice(axis: 1, start: 0, length: c.framesIn), probe: (layer, probe))
            }
        }
        let steps = probe.rows.count
        let maps = Tensor(uninitialized: [steps, gh, gw])
        maps.withMutableData { m in
            for (t, r) in probe.rows.enumerated() {                 // r [1, 1, N]
                r.withContiguousData { (m.baseAddress! + t * gh * gw).update(from: $0.baseAddress!, count: gh * gw) }
            }
        }
        return AttentionMaps(maps: maps, patch: c.patch, query: query, gridQuery: (gy, gx), layer: layer)
    }
}
