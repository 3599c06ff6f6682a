// A training step and a validation pass as sums over fixed leaves, so that one
// process and any number of cooperating processes compute the same bits
// (docs/engine.md, "Many processes").
//
// Training step s with global batch indices i_0 … i_{B−1} (Trainer.batchIndices):
//   leaf j        sample i_j alone: forward at batch 1 with row j of the step's
//                 sampling mask (drawn for the whole batch from the step's stream)
//                 or the step's seq2seq window, loss with `sum` reduction, backward;
//                 a process's leaves run side by side, one per thread
//                 (Parallel.lanes), each with every op single-threaded
//   leaf buffer   [loss_j, ∂loss_j/∂p for every parameter p in model order]
//                 (1 + P floats; a parameter the loss does not reach: zeros)
//   combine       all-gather the buffers (leaf order = rank order), then on
//                 every rank L = Σ_j loss_j in Double and g = LeafReduction.sum,
//                 left to right from +0; with `mean` reduction L and g are
//                 divided once by the number of predicted elements B·E
// Validation: chunk k holds sequences k·b ..< (k+1)·b of the first `limit`
// (b = the batch size), its sequences forwarded in per-sample lanes and
// stacked (Model+Lanes.swift: the bits of one forward of the chunk), its loss
// sum and element count gathered and added in chunk order in Double.
import TensorEngine

enum LeafStepResult {
    case loss(Float)
    case interrupted
    case nonFiniteLoss(Float)
    case nonFiniteGradient(String)
}

extension Trainer {
    /// Runs this rank's leaves of step `s`, combines every rank's leaves and
    /// leaves the combined gradient in each parameter's `.grad`.
    func leafStep(step s: Int, shouldStop: (() -> Bool)? = nil) throws -> LeafStepResult {
        let indices = batchIndices(step: s)
        let b = indices.count
        let params = model.namedParameters
        let sizes = params.map { $0.tensor.count }
        let p = sizes.reduce(0, +), stride = 1 + p
        let mine = group.leaves(of: b)
        let c = model.config
        // The batch's mask, drawn once for all B sequences: row j belongs to sample j whatever rank runs it.
        let fullMask = c.mode == .predictor
            ? sampling?.mask(step: s, batch: b, framesOut: c.framesOut, stream: samplingStream) : nil
        // A local interrupt inside a forward pass would leave the other ranks waiting: one process only.
        let stopInside = group.size == 1 ? shouldStop : nil
        // Inputs first, in leaf order (loading and the step's streams stay on this thread) …
        var examples: [(input: Tensor, target: Tensor, mask: SamplingMask?)] = []
        for j in mine {
            let (input, target) = try example(step: s, batch: try train.load([indices[j]]))
            examples.append((input, target, fullMask.map { [$0[j]] }))
        }
        // … then each leaf's forward and backward in a lane of its own (Parallel.lanes:
        // every op inside single-threaded, so a leaf's bits are those of a leaf run alone),
        // its loss and gradients into its own slot of `local`.
        // Uninitialized: each lane writes its whole slot (zeros where the loss reaches no parameter).
        var local = [Float](unsafeUninitializedCapacity: mine.count * stride) { _, n in n = mine.count * stride }
        var interrupted = false
        try local.withUnsafeMutableBufferPointer { dst in
            let out = dst.baseAddress!
            do {
                try Parallel.lanes(mine.count) { k in
                    let e = examples[k]
                    let output = try model.forward(e.input, sampling: e.mask, shouldStop: stopInside)
                    let lossT = try model.loss(output, e.target.contiguous(), kind: options.loss, reduction: .sum)
                    let base = k * stride
                    out[base] = try lossT.item()
                    let sink = GradientSink()
                    try lossT.backward(into: sink)
                    var at = base + 1
                    for (i, (_, t)) in params.enumerated() {
                        if let g = sink[t] {
                            g.withContiguousData { (out + at).update(from: $0.baseAddress!, count: sizes[i]) }
                        } else {
                            (out + at).update(repeating: 0, count: sizes[i])
                        }
                        at += sizes[i]
                    }
                }
            } catch is ModelInterrupted {
                interrupted = true
            }
        }
        if interrupted { return .interrupted }
        // The loss compares output and target element by element, so a leaf predicts its target's count.
        var elementsPerLeaf = examples.first?.target.count ?? 0
        let all = try group.allGather(floats: local, counts: LeafPartition.counts(count: b, size: group.size).map { $0 * stride })
        // The number of predicted elements per sample is the same for every sample of a step.
        if mine.isEmpty { elementsPerLeaf = try leafElements(index: indices[0]) }
        var lossSum = 0.0
        for j in 0..<b { lossSum += Double(all[j * stride]) }
        let total = b * elementsPerLeaf
        let loss = Float(options.reduction == .mean ? lossSum / Double(max(total, 1)) : lossSum)
        guard loss.isFinite else { return .nonFiniteLoss(loss) }
        let divisor: Float? = options.reduction == .mean ? Float(max(total, 1)) : nil
        var grads: [Tensor] = []
        var offset = 1
        for (i, (name, t)) in params.enumerated() {
            let g = Tensor(storage: Storage(uninitialized: sizes[i]), shape: t.shape)
            let finite = all.withUnsafeBufferPointer { f in
                g.withMutableData { gd in
                    Trainer.combineLeaves(f, leaves: b, stride: stride, offset: offset, into: gd, dividedBy: divisor)
                }
            }
            offset += sizes[i]
            guard finite else { return .nonFiniteGradient(name) }
            grads.append(g)
        }
        for (i, (_, t)) in params.enumerated() { t.grad = grads[i] }
        return .loss(loss)
    }

    /// Grain of the combine's chunks: fixed, so which elements a chunk holds never depends on the thread count.
    static let combineGrain = 1 << 15

    /// One parameter's gradient from the gathered leaf buffers: for each
    /// element, LeafReduction.sum's chain (+0, then leaf 0, 1, … in order),
    /// then the division by `divisor` (`mean`), in fixed chunks spread over the
    /// threads (each element's operations and their order are those of one
    /// thread; only which thread runs a chunk changes). Returns whether every
    /// element is finite.
    static func combineLeaves(_ flat: UnsafeBufferPointer<Float>, leaves b: Int, stride: Int, offset: Int,
                              into out: UnsafeMutableBufferPointer<Float>, dividedBy divisor: Float?) -> Bool {
        let n = out.count, o = out.baseAddress!
        let chunks = (n + combineGrain - 1) / combineGrain
        var finite = [Bool](repeating: true, count: chunks)
        finite.withUnsafeMutableBufferPointer { ok in
            let okp = ok.baseAddress!   // each chunk writes only its own flag
            Parallel.forChunks(count: n, grain: combineGrain) { lo, hi, _ in
                LeafReduction.sum(flat, leaves: b, stride: stride, offset: offset + lo, length: hi - lo, into: o + lo)
                if let d = divisor { for e in lo..<hi { o[e] /= d } }
                okp[lo / combineGrain] = allFinite(UnsafeBufferPointer(start: o + lo, count: hi - lo))
            }
        }
        return !finite.contains(false)
    }

    /// Predicted elements of one sample (a rank with no leaf needs it for `mean`).
    func leafElements(index: Int) throws -> Int {
        let c = model.config
        let sample = try train.load([index])
        let frames = c.mode == .predictor ? c.framesOut : 1
        return frames * sample.shape[2...].reduce(1, *)
    }

    /// The validation loss (see `validate()`), chunk k on rank LeafPartition(k).
    func validateInChunks() throws -> Float {
        guard let v = validation else { throw ModelError.invalidOption(op: "validate", detail: "no validation set") }
        let c = model.config
        let total = min(options.validationLimit ?? v.count, v.count)
        let b = options.batchSize
        let chunks = (total + b - 1) / b
        let mine = group.leaves(of: chunks)
        var local: [Double] = []
        try withNoGrad {
            for k in mine {
                let idx = Array(k * b ..< min(k * b + b, total))
                let batch = try v.load(idx)
                let input: Tensor, target: Tensor
                switch c.mode {
                case .predictor:
                    try model.checkFrames(batch, op: "validate", minFrames: c.framesIn + c.framesOut)
                    input = batch
                    target = try batch.slice(axis: 1, start: c.framesIn, length: c.framesOut)
                case .seq2seq:
                    try model.checkFrames(batch, op: "validate", minFrames: c.framesIn + 1)
                    input = try batch.slice(axis: 1, start: 0, length: c.framesIn)
                    target = try batch.slice(axis: 1, start: c.framesIn, length: 1)
                }
                let out = try model.perSampleInLanes(input) { try model.forward($0) }
                local.append(Double(try model.loss(out, target.contiguous(), kind: options.loss, reduction: .sum).item()))
                local.append(Double(out.count))
            }
        }
        let all = try group.allGather(doubles: local, counts: LeafPartition.counts(count: chunks, size: group.size).map { $0 * 2 })
        var sum = 0.0, elements = 0
        for k in 0..<chunks {
            sum += all[2 * k]
            elements += Int(all[2 * k + 1])
        }
        return Float(options.reduction == .mean ? sum / Double(max(elements, 1)) : sum / Double(max(total, 1)))
    }
}
