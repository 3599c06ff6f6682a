// A 2-D convolution layer with bias and "same" padding (odd kernels), holding
// its two parameters under the names `weight` and `bias` (PyTorch's Conv2d).
// Initialized like PyTorch: weight and bias ~ U(−1/√fan_in, 1/√fan_in).
//   x [B, Cin, H, W] → y [B, Cout, H, W];  weight [Cout, Cin, k, k], bias [Cout]
import TensorEngine

public final class Conv2dLayer {
    public let weight: Tensor
    public let bias: Tensor
    public let padding: Int

    /// A fresh layer drawing its weights from `stream` (split per parameter).
    public init(inChannels: Int, outChannels: Int, kernel: Int, stream: RandomStream) {
        let shape = [outChannels, inChannels, kernel, kernel]
        var ws = stream.split("weight"), bs = stream.split("bias")
        weight = Initializer.torchDefault.weight(shape, stream: &ws).requiringGrad()
        bias = Initializer.torchBias(count: outChannels, weightShape: shape, stream: &bs).requiringGrad()
        padding = kernel / 2
    }

    public var inChannels: Int { weight.shape[1] }
    public var outChannels: Int { weight.shape[0] }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try x.conv2d(weight: weight, bias: bias, padding: (padding, padding))
    }

    /// `prefix.weight`, `prefix.bias` (prefix without the trailing dot).
    public func namedParameters(_ prefix: String) -> [(name: String, tensor: Tensor)] {
        [(prefix + ".weight", weight), (prefix + ".bias", bias)]
    }
}
