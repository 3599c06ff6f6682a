// The SAM-ConvLSTM cell (the paper's SA-ConvLSTM, docs/models.md):
//   (h, c) = ConvLSTM(x, h_prev, c_prev);  (h_out, M) = SAM(h, M_prev)
// h_out is both the layer output and the next step's hidden state; M starts
// at zero. The probed attention is SAM's A_h.
// Parameters: convlstm_cell.{W_ci, W_co, W_cf, conv.weight, conv.bias},
// attention_memory.{query_h, key_h, value_h, z_h, key_m, value_m, z_m, w_z, w}.{weight, bias}.
import TensorEngine

public final class SAMCell: RecurrentCell {
    public let convlstm: ConvLSTMCell
    public let memory: SAMModule

    public init(inChannels: Int, hidden: Int, kernel: Int, height: Int, width: Int, activation: Activation,
                attentionWidth: Int, stream: RandomStream) {
        convlstm = ConvLSTMCell(inChannels: inChannels, hidden: hidden, kernel: kernel, height: height, width: width,
                                activation: activation, stream: stream.split("convlstm_cell"))
        memory = SAMModule(channels: hidden, width: attentionWidth, stream: stream.split("attention_memory"))
    }

    public var hidden: Int { convlstm.hidden }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        convlstm.namedParameters.map { ("convlstm_cell." + $0.name, $0.tensor) }
            + memory.namedParameters.map { ("attention_memory." + $0.name, $0.tensor) }
    }

    public func initialState(batch: Int) -> CellState {
        let s = convlstm.initialState(batch: batch)
        return CellState(h: s.h, c: s.c, m: zeroState(batch, hidden, convlstm.height, convlstm.width))
    }

    public func step(_ x: Tensor, _ state: CellState, probe: AttentionProbe?) throws -> CellState {
        let (h, c) = try convlstm.step(x, h: state.h, c: state.c)
        let (hOut, m) = try memory(h, memory: state.m ?? zeroState(h.shape[0], hidden, convlstm.height, convlstm.width), probe: probe)
        return CellState(h: hOut, c: c, m: m)
    }
}
