// The ConvLSTM cell with peepholes (docs/models.md): one convolution over [x; h]
// gives the gate blocks i, f, g, o; the fused engine kernel `lstmGates` does
//   i = σ(conv_i + W_ci⊙c_prev)  f = σ(conv_f + W_cf⊙c_prev)
//   c = f⊙c_prev + i⊙act(conv_g)  o = σ(conv_o + W_co⊙c)  h = o⊙act(c)
// Parameters (state_dict order): W_ci, W_co, W_cf [Ch, H, W] (the cell grid), conv.weight
// [4Ch, Cin+Ch, k, k], conv.bias [4Ch]. Peepholes start at zero, as in the
// reference repository; the convolution starts with PyTorch's default.
import TensorEngine

public final class ConvLSTMCell: RecurrentCell {
    public let conv: Conv2dLayer
    public let wci: Tensor, wco: Tensor, wcf: Tensor
    public let hidden: Int
    /// The cell grid, height × width.
    public let height: Int, width: Int
    public let activation: Activation

    public init(inChannels: Int, hidden: Int, kernel: Int, height: Int, width: Int, activation: Activation, stream: RandomStream) {
        conv = Conv2dLayer(inChannels: inChannels + hidden, outChannels: 4 * hidden, kernel: kernel, stream: stream.split("conv"))
        wci = Tensor(zeros: [hidden, height, width], requiresGrad: true)
        wco = Tensor(zeros: [hidden, height, width], requiresGrad: true)
        wcf = Tensor(zeros: [hidden, height, width], requiresGrad: true)
        self.hidden = hidden
        self.height = height
        self.width = width
        self.activation = activation
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        [("W_ci", wci), ("W_co", wco), ("W_cf", wcf)] + conv.namedParameters("conv")
    }

    public func initialState(batch: Int) -> CellState {
        CellState(h: zeroState(batch, hidden, height, width), c: zeroState(batch, hidden, height, width))
    }

    /// (h, c) from x [B, Cin, H, W] and the previous (h, c).
    public func step(_ x: Tensor, h: Tensor, c: Tensor) throws -> (h: Tensor, c: Tensor) {
        let xh = try Tensor.concat([x, h], axis: 1)                       // [B, Cin+Ch, H, W]
        let gates = try conv(xh)                                          // [B, 4Ch, H, W]
        return try Tensor.lstmGates(gates: gates, cPrev: c, wci: wci, wcf: wcf, wco: wco, activation: activation)
    }

    public func step(_ x: Tensor, _ state: CellState, probe: AttentionProbe?) throws -> CellState {
        let (h, c) = try step(x, h: state.h, c: state.c)
        return CellState(h: h, c: c)
    }
}
