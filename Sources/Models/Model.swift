// A model: its config, its recurrent cells and head, and its parameters in
// PyTorch state_dict order under the names `save`/`load` use:
//   predictor  layers.{n}.<cell parameters> (n from 1), head.{weight, bias}
//   seq2seq    sequential.<layer prefix>{n}.<cell attribute>.<cell parameters>,
//              sequential.layernorm{n}.{weight, bias} [Ch, T, H, W],
//              sequential.conv3d.{weight, bias}  (the table of docs/models.md)
// Initialization is drawn from a named stream split per module, so a
// parameter's initial values depend only on the seed and its own name.
// The forward passes live in Predictor.swift and Seq2Seq.swift.
import TensorEngine

public final class Model {
    public let config: ModelConfig
    /// The recurrent layers, bottom first.
    public let cells: [RecurrentCell]
    /// The predictor's 1×1 output convolution (Ch → C·p²); nil for seq2seq.
    public let head: Conv2dLayer?
    /// seq2seq: LayerNorm affine parameters per layer, each [Ch, T, H, W].
    public let norms: [(weight: Tensor, bias: Tensor)]
    /// seq2seq: the Conv3d head, weight [C, Ch, 3, 3, 3] and bias [C].
    public let conv3dWeight: Tensor?, conv3dBias: Tensor?
    /// Every parameter, in state_dict order, with its full name.
    public let namedParameters: [(name: String, tensor: Tensor)]

    /// A fresh model with weights drawn from the stream `model/init` of `seed`.
    public convenience init(config: ModelConfig, seed: UInt64) throws {
        try self.init(config: config, stream: RandomStream(seed: seed, name: "model/init"))
    }

    /// A fresh model with weights drawn from `stream` (split per module name).
    public init(config: ModelConfig, stream: RandomStream) throws {
        try config.validate()
        self.config = config
        var cells: [RecurrentCell] = []
        var named: [(name: String, tensor: Tensor)] = []
        var norms: [(weight: Tensor, bias: Tensor)] = []
        let gh = config.gridHeight, gw = config.gridWidth
        for n in 1...config.layers {
            let cin = n == 1 ? config.inputChannels : config.hidden
            let prefix = Model.layerPrefix(config, n)
            let cell = Model.makeCell(config, inChannels: cin, height: gh, width: gw, stream: stream.split(prefix))
            cells.append(cell)
            named += cell.namedParameters.map { (prefix + "." + $0.name, $0.tensor) }
            if config.mode == .seq2seq {
                let shape = [config.hidden, config.framesIn, gh, gw]
                let w = Tensor(repeating: 1, shape: shape).requiringGrad(), b = Tensor(zeros: shape, requiresGrad: true)
                norms.append((w, b))
                named += [("sequential.layernorm\(n).weight", w), ("sequential.layernorm\(n).bias", b)]
            }
        }
        switch config.mode {
        case .predictor:
            let h = Conv2dLayer(inChannels: config.hidden, outChannels: config.inputChannels, kernel: 1, stream: stream.split("head"))
            head = h
            named += h.namedParameters("head")
            conv3dWeight = nil
            conv3dBias = nil
        case .seq2seq:
            head = nil
            let shape = [config.channels, config.hidden, 3, 3, 3]
            var ws = stream.split("sequential.conv3d.weight"), bs = stream.split("sequential.conv3d.bias")
            let w = Initializer.torchDefault.weight(shape, stream: &ws).requiringGrad()
            let b = Initializer.torchBias(count: config.channels, weightShape: shape, stream: &bs).requiringGrad()
            conv3dWeight = w
            conv3dBias = b
            named += [("sequential.conv3d.weight", w), ("sequential.conv3d.bias", b)]
        }
        for (name, t) in named { t.name = name }
        self.cells = cells
        self.norms = norms
        self.namedParameters = named
    }

    /// `layers.{n}` or `sequential.convlstm{n}.ConvLSTMCell` (and the SA/SAM spellings).
    static func layerPrefix(_ c: ModelConfig, _ n: Int) -> String {
        switch (c.mode, c.family) {
        case (.predictor, _): return "layers.\(n)"
        case (.seq2seq, .convlstm): return "sequential.convlstm\(n).ConvLSTMCell"
        case (.seq2seq, .saConvlstm): return "sequential.sa_convlstm\(n).sa_convlstm_cell"
        case (.seq2seq, .samConvlstm): return "sequential.sam-convlstm\(n).sam_convlstm_cell"
        }
    }

    static func makeCell(_ c: ModelConfig, inChannels: Int, height: Int, width: Int, stream: RandomStream) -> RecurrentCell {
        switch c.family {
        case .convlstm:
            return ConvLSTMCell(inChannels: inChannels, hidden: c.hidden, kernel: c.kernel, height: height, width: width,
                                activation: c.activation, stream: stream)
        case .saConvlstm:
            return SACell(inChannels: inChannels, hidden: c.hidden, kernel: c.kernel, height: height, width: width,
                          activation: c.activation, attentionWidth: c.attentionHidden, upstreamDoubling: c.upstreamDoubling,
                          stream: stream)
        case .samConvlstm:
            return SAMCell(inChannels: inChannels, hidden: c.hidden, kernel: c.kernel, height: height, width: width,
                           activation: c.activation, attentionWidth: c.attentionHidden, stream: stream)
        }
    }

    public var family: ModelFamily { config.family }
    public var mode: AssemblyMode { config.mode }

    /// Total number of parameter values (`model.count`).
    public var parameterCount: Int { namedParameters.reduce(0) { $0 + $1.tensor.count } }

    /// The parameter called `name`, or nil.
    public func parameter(_ name: String) -> Tensor? {
        namedParameters.first { $0.name == name }?.tensor
    }

    /// The parameters alone, in state_dict order (what an optimizer updates).
    public var parameters: [Tensor] { namedParameters.map(\.tensor) }

    /// E.g. "SAM-ConvLSTM predictor: 2 layers of 64, … — 1,561,040 parameters".
    public var description: String {
        config.summary + " — \(Model.grouped(parameterCount)) parameters"
    }

    static func grouped(_ n: Int) -> String {
        let s = String(n)
        var out = ""
        for (i, ch) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out += "," }
            out.append(ch)
        }
        return out
    }

    /// Drops every parameter's accumulated gradient.
    public func zeroGradients() {
        for p in parameters { p.grad = nil }
    }
}
