// The public ways to run a model: `forward` (one pass, recorded for autodiff
// when gradients are on), `predict` (no gradients; seq2seq rolled out to
// frames_out), `loss`, and `gradients` (the parameter gradients of a loss).
//   predictor: forward [B, T ≥ frames_in, C, H, W] → [B, frames_out, C, H, W]
//   seq2seq:   forward [B, frames_in, C, H, W]     → [B, 1, C, H, W]
import TensorEngine

/// Training and evaluation losses.
public enum LossKind: String, CaseIterable, Sendable {
    case mse, bce
}

extension Model {
    /// One forward pass (SPEC `forward(model, input)`).
    public func forward(_ input: Tensor) throws -> Tensor {
        switch mode {
        case .predictor: return try predictorForward(input, sampling: nil, probe: nil)
        case .seq2seq: return try seq2seqForward(input, probe: nil)
        }
    }

    /// The forward pass of training: the predictor with scheduled sampling;
    /// `shouldStop`, checked before every recurrent step, abandons the pass
    /// with `ModelInterrupted`.
    public func forward(_ input: Tensor, sampling: SamplingMask?, shouldStop: (() -> Bool)? = nil) throws -> Tensor {
        guard mode == .predictor || sampling == nil else {
            throw ModelError.invalidOption(op: "forward", detail: "scheduled sampling is a predictor option")
        }
        switch mode {
        case .predictor: return try predictorForward(input, sampling: sampling, probe: nil, shouldStop: shouldStop)
        case .seq2seq: return try seq2seqForward(input, probe: nil, shouldStop: shouldStop)
        }
    }

    /// frames_out predicted frames, without gradients. Takes [B, T, C, H, W]
    /// (→ [B, frames_out, C, H, W]) or one sequence [T, C, H, W] (→ [frames_out, C, H, W]).
    /// Only the first frames_in frames are read. seq2seq rolls out: each
    /// prediction joins the window of the last frames_in frames.
    public func predict(_ frames: Tensor) throws -> Tensor {
        let single = frames.rank == 4
        let x = single ? try frames.reshaped([1] + frames.shape) : frames
        let c = config
        let out: Tensor = try withNoGrad {
            try checkFrames(x, op: "predict", minFrames: c.framesIn)
            switch mode {
            case .predictor:
                return try predictorForward(x, sampling: nil, probe: nil)
            case .seq2seq:
                var window = try x.slice(axis: 1, start: 0, length: c.framesIn).contiguous()
                var predictions: [Tensor] = []
                for _ in 0..<c.framesOut {
                    let next = try seq2seqForward(window, probe: nil)           // [B, 1, C, H, W]
                    predictions.append(next)
                    window = try Tensor.concat([try window.slice(axis: 1, start: 1, length: c.framesIn - 1), next], axis: 1)
                }
                return try Tensor.concat(predictions, axis: 1)                   // [B, frames_out, C, H, W]
            }
        }
        return single ? try out.reshaped(Array(out.shape.dropFirst())) : out
    }

    /// The loss of `output` against `target` (same shape). BCE needs
    /// probabilities, so it is refused for predictor models (their head has
    /// no sigmoid).
    public func loss(_ output: Tensor, _ target: Tensor, kind: LossKind, reduction: Reduction) throws -> Tensor {
        guard output.shape == target.shape else {
            throw ModelError.badInput(op: "loss", detail: "output \(describeShape(output.shape)) and target \(describeShape(target.shape)) differ in shape")
        }
        switch kind {
        case .mse: return try output.mseLoss(target, reduction: reduction)
        case .bce:
            guard mode == .seq2seq else {
                throw ModelError.invalidOption(op: "loss", detail: "bce needs outputs in (0, 1), but a predictor's head is a plain 1×1 convolution; use loss: \"mse\" (or a seq2seq model, whose head ends in a sigmoid)")
            }
            return try output.bceLoss(target, reduction: reduction)
        }
    }

    /// The loss of forward(input) against `target` and every parameter's
    /// gradient, keyed like `namedParameters` (a parameter the loss does not
    /// reach gets zeros). Leaves no gradient behind on the model.
    public func gradients(input: Tensor, target: Tensor, loss kind: LossKind = .mse,
                          reduction: Reduction = .mean) throws -> (loss: Float, gradients: [(name: String, tensor: Tensor)]) {
        zeroGradients()
        defer { zeroGradients() }
        let out = try forward(input)
        let l = try loss(out, target, kind: kind, reduction: reduction)
        try l.backward()
        let grads = namedParameters.map { ($0.name, $0.tensor.grad ?? Tensor(zeros: $0.tensor.shape)) }
        return (try l.item(), grads)
    }
}
