// What the three cells have in common: a state that starts at zero, one step
// per frame, named parameters in PyTorch's state_dict order, and an optional
// probe that records rows of the hidden-state attention A_h while stepping.
//   x [B, Cin, H, W]  →  state.h [B, Ch, H, W] (the layer output), state.c,
//   and for SAM the memory state.m, all [B, Ch, H, W].
import TensorEngine

/// The recurrent state of one layer. `h` is also the layer's output.
public struct CellState {
    public var h: Tensor
    public var c: Tensor
    /// SAM's memory M (nil for the other cells).
    public var m: Tensor?

    public init(h: Tensor, c: Tensor, m: Tensor? = nil) {
        self.h = h
        self.c = c
        self.m = m
    }
}

public protocol RecurrentCell: AnyObject {
    /// Hidden channels Ch.
    var hidden: Int { get }
    /// Parameters with names relative to the cell (e.g. `convlstm_cell.W_ci`).
    var namedParameters: [(name: String, tensor: Tensor)] { get }
    /// Zero state for a batch on this cell's grid.
    func initialState(batch: Int) -> CellState
    /// One frame: the new state (its `h` is the output).
    func step(_ x: Tensor, _ state: CellState, probe: AttentionProbe?) throws -> CellState
}

/// Collects rows of A_h = softmax_rows(q_hᵀ k_h) at every step it sees,
/// without ever forming the N×N matrix: only the requested query rows.
public final class AttentionProbe {
    /// Query indices on the cell grid (row-major: y · width + x).
    public let queries: [Int]
    /// One tensor per step: [B, queries.count, N].
    public private(set) var rows: [Tensor] = []

    public init(queries: [Int]) {
        self.queries = queries
    }

    /// Records the rows of softmax(qᵀk) for every sample; q, k are [B, d, N].
    func record(q: Tensor, k: Tensor) throws {
        try withNoGrad {
            let b = q.shape[0], n = k.shape[2]
            let out = Tensor(uninitialized: [b, queries.count, n])
            for s in 0..<b {
                let r = try Tensor.attentionRows(q: q, k: k, sample: s, queries: queries)
                out.withMutableData { o in
                    r.withContiguousData { (o.baseAddress! + s * queries.count * n).update(from: $0.baseAddress!, count: queries.count * n) }
                }
            }
            rows.append(out)
        }
    }
}

/// Zero [B, C, H, W] that needs no gradient.
func zeroState(_ batch: Int, _ channels: Int, _ height: Int, _ width: Int) -> Tensor {
    Tensor(zeros: [batch, channels, height, width])
}
