// The SA-ConvLSTM cell (the reference repository's variant, docs/models.md):
//   x' = SA_x(x);  (h, c) = ConvLSTM(x', h_prev, c_prev);  h_out = h + SA_h(h)
// h_out is the layer output and the next step's hidden state. The residual is
// what the repository intended; its later `SA_h(h) + SA_h(h)` (a doubling) is a
// defect we do not copy by default — `upstreamDoubling` (the config's
// `upstream_doubling: true`) computes it, for checkpoints trained upstream.
// The probed attention is A_h, over the hidden state.
// Parameters: convlstm_cell.{W_ci, W_co, W_cf, conv.weight, conv.bias},
// attention_x.{query_h, key_h, value_h, z}.{weight, bias}, attention_h.{…}.
import TensorEngine

public final class SACell: RecurrentCell {
    public let convlstm: ConvLSTMCell
    public let attentionX: SelfAttention
    public let attentionH: SelfAttention
    /// h_out = SA_h(h) + SA_h(h) (the upstream defect) instead of h + SA_h(h).
    public let upstreamDoubling: Bool

    public init(inChannels: Int, hidden: Int, kernel: Int, height: Int, width: Int, activation: Activation,
                attentionWidth: Int, upstreamDoubling: Bool = false, stream: RandomStream) {
        self.upstreamDoubling = upstreamDoubling
        convlstm = ConvLSTMCell(inChannels: inChannels, hidden: hidden, kernel: kernel, height: height, width: width,
                                activation: activation, stream: stream.split("convlstm_cell"))
        attentionX = SelfAttention(channels: inChannels, width: attentionWidth, stream: stream.split("attention_x"))
        attentionH = SelfAttention(channels: hidden, width: attentionWidth, stream: stream.split("attention_h"))
    }

    public var hidden: Int { convlstm.hidden }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        convlstm.namedParameters.map { ("convlstm_cell." + $0.name, $0.tensor) }
            + attentionX.namedParameters.map { ("attention_x." + $0.name, $0.tensor) }
            + attentionH.namedParameters.map { ("attention_h." + $0.name, $0.tensor) }
    }

    public func initialState(batch: Int) -> CellState { convlstm.initialState(batch: batch) }

    public func step(_ x: Tensor, _ state: CellState, probe: AttentionProbe?) throws -> CellState {
        let xa = try attentionX(x)
        let (h, c) = try convlstm.step(xa, h: state.h, c: state.c)
        let sa = try attentionH(h, probe: probe)
        let out = try upstreamDoubling ? sa.add(sa) : h.add(sa)
        return CellState(h: out, c: c)
    }
}
