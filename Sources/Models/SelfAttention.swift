// The self-attention module SA of docs/models.md. 1×1 convolutions give
//   q = Wq*h [B, d, N], k = Wk*h [B, d, N], v = Wv*h [B, C, N];
//   A = softmax_rows(qᵀk) [N × N] (no 1/√d);  z = v Aᵀ;  out = Wz*z [B, C, H, W].
// The engine's fused `Tensor.attention` stores no large A (blocks of query rows,
// recomputed in backward; only a map of ≤ 256 KB per sample is kept), so 64×64
// frames (N = 4096) train in little memory.
// Parameters: query_h, key_h, value_h, z, each .weight/.bias.
import TensorEngine

public final class SelfAttention {
    public let query: Conv2dLayer, key: Conv2dLayer, value: Conv2dLayer, out: Conv2dLayer
    public let channels: Int, width: Int

    public init(channels: Int, width: Int, stream: RandomStream) {
        query = Conv2dLayer(inChannels: channels, outChannels: width, kernel: 1, stream: stream.split("query_h"))
        key = Conv2dLayer(inChannels: channels, outChannels: width, kernel: 1, stream: stream.split("key_h"))
        value = Conv2dLayer(inChannels: channels, outChannels: channels, kernel: 1, stream: stream.split("value_h"))
        out = Conv2dLayer(inChannels: channels, outChannels: channels, kernel: 1, stream: stream.split("z"))
        self.channels = channels
        self.width = width
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        query.namedParameters("query_h") + key.namedParameters("key_h") + value.namedParameters("value_h") + out.namedParameters("z")
    }

    /// SA(h) [B, C, H, W]; rows of A go to `probe` when given.
    public func callAsFunction(_ h: Tensor, probe: AttentionProbe? = nil) throws -> Tensor {
        let b = h.shape[0], n = h.shape[2] * h.shape[3]
        let q = try query(h).reshaped([b, width, n])
        let k = try key(h).reshaped([b, width, n])
        let v = try value(h).reshaped([b, channels, n])
        try probe?.record(q: q, k: k)
        let z = try Tensor.attention(q: q, k: k, v: v).reshaped([b, channels, h.shape[2], h.shape[3]])
        return try out(z)
    }
}
