// Weight initializers, all drawn from seeded streams:
//   zeros; Kaiming/He normal std = gain/√fan_in (gain √2 for ReLU);
//   Xavier normal std = √(2/(fan_in+fan_out));
//   PyTorch's Conv default: weight and bias ~ U(−1/√fan_in, 1/√fan_in)
//   (kaiming_uniform with a = √5 reduces to that bound).
// fan_in = in_channels · kernel volume; fan_out = out_channels · kernel volume.

public enum Initializer {
    case zeros
    case kaimingNormal(gain: Float)
    case xavierNormal
    case torchDefault

    /// fan_in and fan_out of a weight shape [out, in, k…] (or [out, in]).
    public static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        guard shape.count >= 2 else { return (max(shape.first ?? 1, 1), max(shape.first ?? 1, 1)) }
        let receptive = shape[2...].reduce(1, *)
        return (shape[1] * receptive, shape[0] * receptive)
    }

    /// A fresh weight tensor of `shape`.
    public func weight(_ shape: [Int], stream: inout RandomStream) -> Tensor {
        let (fanIn, fanOut) = Initializer.fans(shape)
        switch self {
        case .zeros: return Tensor(zeros: shape)
        case let .kaimingNormal(gain): return Tensor.normal(shape, std: gain / Float(fanIn).squareRoot(), stream: &stream)
        case .xavierNormal: return Tensor.normal(shape, std: (2 / Float(fanIn + fanOut)).squareRoot(), stream: &stream)
        case .torchDefault:
            let bound = 1 / Float(fanIn).squareRoot()
            return Tensor.uniform(shape, low: -bound, high: bound, stream: &stream)
        }
    }

    /// PyTorch's default bias for a layer whose weight has `weightShape`.
    public static func torchBias(count: Int, weightShape: [Int], stream: inout RandomStream) -> Tensor {
        let bound = 1 / Float(fans(weightShape).fanIn).squareRoot()
        return Tensor.uniform([count], low: -bound, high: bound, stream: &stream)
    }
}
