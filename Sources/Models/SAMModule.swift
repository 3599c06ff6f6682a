// The self-attention memory module SAM (Lin et al., AAAI 2020; docs/models.md):
//   q_h, k_h, v_h = Wq*H, Wk*H, Wv*H;   Z_h = Wzh*(v_h A_hᵀ),  A_h = softmax(q_hᵀk_h)
//   k_m, v_m = Wkm*M_prev, Wvm*M_prev;  Z_m = Wzm*(v_m A_mᵀ),  A_m = softmax(q_hᵀk_m)
//   Z = Wz*[Z_h; Z_m]  (2C → 2C);   [m_i; m_g; m_o] = W*[Z; H]  (3C → 3C)
//   M = (1 − σ(m_i))⊙M_prev + σ(m_i)⊙tanh(m_g);   H_out = σ(m_o)⊙M
// Both attentions use the engine's fused kernel (no large N×N tensor kept).
// Parameters: query_h, key_h, value_h, z_h, key_m, value_m, z_m, w_z, w (each
// .weight/.bias), in that order.
import TensorEngine

public final class SAMModule {
    public let queryH: Conv2dLayer, keyH: Conv2dLayer, valueH: Conv2dLayer, zH: Conv2dLayer
    public let keyM: Conv2dLayer, valueM: Conv2dLayer, zM: Conv2dLayer
    public let wZ: Conv2dLayer, w: Conv2dLayer
    public let channels: Int, width: Int

    public init(channels c: Int, width d: Int, stream: RandomStream) {
        func conv(_ name: String, _ cin: Int, _ cout: Int) -> Conv2dLayer {
            Conv2dLayer(inChannels: cin, outChannels: cout, kernel: 1, stream: stream.split(name))
        }
        queryH = conv("query_h", c, d); keyH = conv("key_h", c, d); valueH = conv("value_h", c, c); zH = conv("z_h", c, c)
        keyM = conv("key_m", c, d); valueM = conv("value_m", c, c); zM = conv("z_m", c, c)
        wZ = conv("w_z", 2 * c, 2 * c); w = conv("w", 3 * c, 3 * c)
        channels = c
        width = d
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        queryH.namedParameters("query_h") + keyH.namedParameters("key_h") + valueH.namedParameters("value_h")
            + zH.namedParameters("z_h") + keyM.namedParameters("key_m") + valueM.namedParameters("value_m")
            + zM.namedParameters("z_m") + wZ.namedParameters("w_z") + w.namedParameters("w")
    }

    /// (H_out, M) from the hidden state H and the memory M_prev, both [B, C, H, W].
    public func callAsFunction(_ hs: Tensor, memory mPrev: Tensor, probe: AttentionProbe? = nil) throws -> (h: Tensor, m: Tensor) {
        let b = hs.shape[0], hh = hs.shape[2], ww = hs.shape[3], n = hh * ww, c = channels
        let q = try queryH(hs).reshaped([b, width, n])                     // [B, d, N]
        let kh = try keyH(hs).reshaped([b, width, n])
        let vh = try valueH(hs).reshaped([b, c, n])                        // [B, C, N]
        try probe?.record(q: q, k: kh)
        let zh = try zH(try Tensor.attention(q: q, k: kh, v: vh).reshaped([b, c, hh, ww]))
        let km = try keyM(mPrev).reshaped([b, width, n])
        let vm = try valueM(mPrev).reshaped([b, c, n])
        let zm = try zM(try Tensor.attention(q: q, k: km, v: vm).reshaped([b, c, hh, ww]))
        let z = try wZ(try Tensor.concat([zh, zm], axis: 1))               // [B, 2C, H, W]
        // i, g, o = σ, tanh, σ of the three blocks; M = (1 − i)⊙M_prev + i⊙g; H_out = o⊙M
        // (one fused pass, the bits of that composition: Tensor+SAMGates.swift)
        return try Tensor.samGates(gates: try w(try Tensor.concat([z, hs], axis: 1)), mPrev: mPrev)
    }
}
