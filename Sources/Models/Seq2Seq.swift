// The `seq2seq` assembly (the reference PyTorch repository): each recurrent
// layer runs over the whole input sequence and is followed by a LayerNorm over
// [C, T, H, W]; a 3×3×3 Conv3d (padding 1) maps to the frame channels and a
// sigmoid gives the next frame.
//   frames [B, T, C, H, W] (T = frames_in) → layer n: [B, Ch, T, H, W] →
//   LayerNorm → … → Conv3d → sigmoid → the last time step [B, 1, C, H, W]
// Only the last output step is needed, so the Conv3d runs on the last two
// time steps (its padding supplies the zero step after them): the same values
// as the full convolution's last step, without computing the others.
// Longer horizons are rolled out by feeding predictions back (Model.predict).
import TensorEngine

extension Model {
    /// The next frame [B, 1, C, H, W] from exactly frames_in frames [B, T, C, H, W].
    /// `shouldStop` is checked before every recurrent step (see `predictorForward`).
    func seq2seqForward(_ frames: Tensor, probe: (layer: Int, probe: AttentionProbe)?,
                        shouldStop: (() -> Bool)? = nil) throws -> Tensor {
        let c = config
        try checkFrames(frames, op: "forward", minFrames: c.framesIn, exactFrames: true)
        let b = frames.shape[0], t = c.framesIn, gh = c.gridHeight, gw = c.gridWidth
        var inputs = try (0..<t).map { try frames.select(axis: 1, index: $0) }   // each [B, C, H, W]
        var sequence = frames
        for (i, cell) in cells.enumerated() {
            var state = cell.initialState(batch: b)
            var outputs: [Tensor] = []
            let p = probe?.layer == i + 1 ? probe?.probe : nil
            for s in 0..<t {
                if shouldStop?() == true { throw ModelInterrupted() }
                state = try cell.step(inputs[s], state, probe: p)
                outputs.append(try state.h.reshaped([b, c.hidden, 1, gh, gw]))
            }
            let stacked = try Tensor.concat(outputs, axis: 2)                    // [B, Ch, T, H, W]
            sequence = try stacked.layerNorm(normalizedRank: 4, weight: norms[i].weight, bias: norms[i].bias)
            if i + 1 < cells.count {
                let seq = sequence
                inputs = try (0..<t).map { try seq.select(axis: 2, index: $0) }   // each [B, Ch, H, W]
            }
        }
        let tail = t >= 2 ? try sequence.slice(axis: 2, start: t - 2, length: 2) : sequence
        let y = try tail.conv3d(weight: conv3dWeight!, bias: conv3dBias!, padding: 1)  // [B, C, ≤2, H, W]
        let last = try y.select(axis: 2, index: y.shape[2] - 1).sigmoid()          // [B, C, H, W]
        return try last.reshaped([b, 1, c.channels, c.height, c.width])
    }
}
