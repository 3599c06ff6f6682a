// Forward passes over a batch as per-sample lanes: each sequence runs at
// batch 1 in a lane of its own (Parallel.lanes: every op inside runs its fixed
// chunks in order on that thread), and the outputs are stacked back in sample
// order. Validation and evaluation use it, as training's leaves do. The bits
// are those of the whole-batch forward: every op computes a sample's outputs
// from that sample alone with a chain that does not depend on the batch size
// (convolutions per sample, fixed-k GEMM chains, per-sample layer norm and
// attention), and losses and metrics are then taken over the stacked batch as
// before (LanesTests.testValidationAndEvaluationLanesKeepTheBatchBits).
import TensorEngine

extension Model {
    /// `body(sample)` for every sample of `batch` ([B, …] → [1, …] each) in
    /// lanes, the results stacked along axis 0 in sample order.
    func perSampleInLanes(_ batch: Tensor, _ body: (Tensor) throws -> Tensor) throws -> Tensor {
        let b = batch.shape[0]
        if b == 1 { return try body(batch) }
        var outputs = [Tensor?](repeating: nil, count: b)
        try outputs.withUnsafeMutableBufferPointer { slots in
            let slot = slots.baseAddress!   // each lane writes only its own slot
            try Parallel.lanes(b) { i in slot[i] = try body(try batch.slice(axis: 0, start: i, length: 1).contiguous()) }
        }
        return try Tensor.concat(outputs.map { $0! }, axis: 0)
    }
}
