// What a model is: its family, its assembly and the sizes of docs/models.md, with
// validation that names the offending key, a one-line description, and a
// stable JSON form (keys in a fixed order) stored in weights and checkpoints.
// The notebook's config keys map one to one onto these fields:
//   layers, hidden, kernel, size (height = width), height, width, channels,
//   patch, frames_in, frames_out, activation, mode, attention_hidden.
// A square frame is written `size` in the JSON form (as before frames could be
// non-square, so square models keep their bytes); a non-square one `height`
// and `width`.
import Foundation
import TensorEngine

/// The three model families of docs/models.md.
public enum ModelFamily: String, CaseIterable, Sendable {
    case convlstm
    case saConvlstm = "sa_convlstm"
    case samConvlstm = "sam_convlstm"

    /// The name papers and figures use.
    public var displayName: String {
        switch self {
        case .convlstm: return "ConvLSTM"
        case .saConvlstm: return "SA-ConvLSTM"
        case .samConvlstm: return "SAM-ConvLSTM"
        }
    }

    public var hasAttention: Bool { self != .convlstm }
}

/// How the cells are assembled (docs/models.md, "Assembly").
public enum AssemblyMode: String, CaseIterable, Sendable {
    /// Frame by frame over frames_in + frames_out − 1 steps, patching, 1×1 head.
    case predictor
    /// The reference repository: LayerNorm after each layer, Conv3d + sigmoid head.
    case seq2seq
}

public struct ModelConfig: Equatable, Sendable {
    public var family: ModelFamily
    public var mode: AssemblyMode
    /// Number of stacked recurrent layers.
    public var layers: Int
    /// Hidden channels of every layer.
    public var hidden: Int
    /// Kernel size of the ConvLSTM gate convolution (odd).
    public var kernel: Int
    /// Frame height and width, in pixels.
    public var height: Int
    public var width: Int
    /// The square shorthand: reads the height, sets both.
    public var size: Int {
        get { height }
        set { height = newValue; width = newValue }
    }
    public var isSquare: Bool { height == width }
    /// Channels of a frame.
    public var channels: Int
    /// Patch size of the predictor's space-to-depth (1 = none; seq2seq needs 1).
    public var patch: Int
    public var framesIn: Int
    public var framesOut: Int
    /// `act` of the ConvLSTM cell.
    public var activation: Activation
    /// Attention width d of the SA and SAM modules (ignored by ConvLSTM).
    public var attentionHidden: Int
    /// SA-ConvLSTM only: compute the upstream repository's `SA_h(h) + SA_h(h)`
    /// instead of `h + SA_h(h)` (docs/models.md, "Deliberate differences"), so
    /// that checkpoints trained there compute what they computed there.
    public var upstreamDoubling: Bool = false

    public init(family: ModelFamily, mode: AssemblyMode = .predictor, layers: Int = 2, hidden: Int = 64,
                kernel: Int = 3, size: Int = 64, height: Int? = nil, width: Int? = nil, channels: Int = 1, patch: Int = 1,
                framesIn: Int = 10, framesOut: Int = 10, activation: Activation = .tanh, attentionHidden: Int = 16) {
        self.family = family
        self.mode = mode
        self.layers = layers
        self.hidden = hidden
        self.kernel = kernel
        self.height = height ?? size
        self.width = width ?? size
        self.channels = channels
        self.patch = patch
        self.framesIn = framesIn
        self.framesOut = framesOut
        self.activation = activation
        self.attentionHidden = attentionHidden
    }

    /// Throws `ModelError.invalidConfig` naming the first bad key.
    public func validate() throws {
        func bad(_ s: String) -> ModelError { .invalidConfig(s) }
        let frame: [(String, Int)] = isSquare ? [("size", height)] : [("height", height), ("width", width)]
        let minimums: [(String, Int, Int)] = [("layers", layers, 1), ("hidden", hidden, 1), ("kernel", kernel, 1)]
            + frame.map({ ($0.0, $0.1, 1) }) + [("channels", channels, 1), ("patch", patch, 1),
            ("frames_in", framesIn, 1), ("frames_out", framesOut, 1), ("attention_hidden", attentionHidden, 1)]
        for (key, value, low) in minimums where value < low {
            throw bad("\(key) must be at least \(low), got \(value)")
        }
        guard kernel % 2 == 1 else {
            throw bad("kernel must be odd (the gate convolution keeps the frame size with padding kernel/2), got \(kernel)")
        }
        guard height % patch == 0 && width % patch == 0 else {
            let what = isSquare ? "size \(height)" : "height \(height) and width \(width) (both)"
            throw bad("patch \(patch) does not divide \(what) (frames are cut into patch × patch pieces)")
        }
        if upstreamDoubling && family != .saConvlstm {
            throw bad("upstream_doubling is an SA-ConvLSTM option (the upstream SA cell's SA_h(h) + SA_h(h)); \(family.displayName) has no such cell")
        }
        if mode == .seq2seq && patch != 1 {
            throw bad("patch is a predictor option; a seq2seq model works on whole frames (use patch: 1 or mode: \"predictor\")")
        }
        let limit = 1 << 16
        let sizes: [(String, Int)] = [("layers", layers), ("hidden", hidden), ("kernel", kernel)] + frame + [
            ("channels", channels), ("frames_in", framesIn), ("frames_out", framesOut), ("attention_hidden", attentionHidden)]
        for (key, value) in sizes where value > limit {
            throw bad("\(key) \(value) is unreasonably large")
        }
    }

    /// The grid the cells run on: height / patch × width / patch.
    public var gridHeight: Int { height / patch }
    public var gridWidth: Int { width / patch }
    /// Positions of the cell grid (what attention runs over): H·W / patch².
    public var gridPositions: Int { gridHeight * gridWidth }
    /// Channels of a cell input in layer 1: channels · patch².
    public var inputChannels: Int { channels * patch * patch }
    /// Recurrent steps a forward pass takes.
    public var steps: Int { mode == .predictor ? framesIn + framesOut - 1 : framesIn }

    /// One readable line, e.g. "SAM-ConvLSTM predictor: 2 layers of 64, kernel 3, 64×64×1 frames in 4×4 patches (16×16×16), 10 → 10 frames, tanh, attention width 16".
    public var summary: String {
        var s = "\(family.displayName) \(mode.rawValue): \(layers) layer\(layers == 1 ? "" : "s") of \(hidden), kernel \(kernel), "
        s += "\(height)×\(width)×\(channels) frames"
        if patch > 1 { s += " in \(patch)×\(patch) patches (\(gridHeight)×\(gridWidth)×\(inputChannels))" }
        switch mode {
        case .predictor: s += ", \(framesIn) → \(framesOut) frames"
        case .seq2seq: s += ", \(framesIn) frames → the next one (rolled out to \(framesOut))"
        }
        s += ", \(activation.rawValue)"
        if family.hasAttention { s += ", attention width \(attentionHidden)" }
        if upstreamDoubling { s += ", upstream SA doubling" }
        return s
    }

    /// The configuration as ordered key/value pairs (notebook spelling); a
    /// square frame is one `size`, a non-square one `height` and `width`.
    public var entries: [(key: String, value: String)] {
        let frame: [(key: String, value: String)] = isSquare ? [("size", "\(size)")] : [("height", "\(height)"), ("width", "\(width)")]
        return [("family", family.rawValue), ("mode", mode.rawValue), ("layers", "\(layers)"), ("hidden", "\(hidden)"),
         ("kernel", "\(kernel)")] + frame + [("channels", "\(channels)"), ("patch", "\(patch)"),
         ("frames_in", "\(framesIn)"), ("frames_out", "\(framesOut)"), ("activation", activation.rawValue),
         ("attention_hidden", "\(attentionHidden)")] + (upstreamDoubling ? [("upstream_doubling", "true")] : [])
    }

    /// Stable JSON (fixed key order), stored in file metadata.
    public var json: String {
        "{" + entries.map { e in
            let quoted = ["family", "mode", "activation"].contains(e.key)   // upstream_doubling: a bare true
            return "\"\(e.key)\":" + (quoted ? "\"\(e.value)\"" : e.value)
        }.joined(separator: ",") + "}"
    }

    /// Parses `json` (as written by `json`); unknown keys are refused.
    public init(json: String) throws {
        guard let data = json.data(using: .utf8),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ModelError.invalidConfig("not a JSON object: \(json.prefix(80))")
        }
        func int(_ k: String) throws -> Int {
            guard let v = (obj[k] as? NSNumber)?.intValue else { throw ModelError.invalidConfig("missing or non-integer key \(k)") }
            return v
        }
        func str(_ k: String) throws -> String {
            guard let v = obj[k] as? String else { throw ModelError.invalidConfig("missing or non-string key \(k)") }
            return v
        }
        let known: Set<String> = ["family", "mode", "layers", "hidden", "kernel", "size", "height", "width", "channels", "patch",
                                  "frames_in", "frames_out", "activation", "attention_hidden", "upstream_doubling"]
        if let extra = obj.keys.sorted().first(where: { !known.contains($0) }) {
            throw ModelError.invalidConfig("unknown key \(extra)")
        }
        guard let family = ModelFamily(rawValue: try str("family")) else {
            throw ModelError.invalidConfig("unknown family \(try str("family"))")
        }
        guard let mode = AssemblyMode(rawValue: try str("mode")) else {
            throw ModelError.invalidConfig("unknown mode \(try str("mode"))")
        }
        let size: Int, height: Int, width: Int
        if obj["size"] != nil {
            guard obj["height"] == nil && obj["width"] == nil else {
                throw ModelError.invalidConfig("both size and height/width given; size is the square shorthand")
            }
            size = try int("size"); height = size; width = size
        } else {
            height = try int("height"); width = try int("width"); size = height
        }
        self.init(family: family, mode: mode, layers: try int("layers"), hidden: try int("hidden"),
                  kernel: try int("kernel"), size: size, height: height, width: width, channels: try int("channels"),
                  patch: try int("patch"), framesIn: try int("frames_in"), framesOut: try int("frames_out"),
                  activation: try ModelConfig.activation(named: try str("activation")),
                  attentionHidden: try int("attention_hidden"))
        if let d = obj["upstream_doubling"] {
            guard let b = d as? Bool else { throw ModelError.invalidConfig("upstream_doubling must be true or false") }
            upstreamDoubling = b
        }
    }

    /// The notebook's config keys, in their usual order.
    public static let keys = ["layers", "hidden", "kernel", "size", "height", "width", "channels", "patch", "frames_in", "frames_out",
                              "activation", "mode", "attention_hidden", "upstream_doubling"]

    /// Sets one notebook config key: integers for sizes (an integral Double is
    /// accepted), strings for `activation` and `mode`. Unknown keys and values
    /// of the wrong kind are refused with the list of valid keys.
    public mutating func set(_ key: String, _ value: Any) throws {
        func int() throws -> Int {
            if let i = value as? Int { return i }
            if let d = value as? Double, d.rounded() == d, abs(d) < 1e9 { return Int(d) }
            throw ModelError.invalidConfig("\(key) must be an integer, got \(value)")
        }
        func string() throws -> String {
            guard let s = value as? String else { throw ModelError.invalidConfig("\(key) must be a string, got \(value)") }
            return s
        }
        switch key {
        case "layers": layers = try int()
        case "hidden": hidden = try int()
        case "kernel": kernel = try int()
        case "size": size = try int()
        case "height": height = try int()
        case "width": width = try int()
        case "channels": channels = try int()
        case "patch": patch = try int()
        case "frames_in": framesIn = try int()
        case "frames_out": framesOut = try int()
        case "attention_hidden": attentionHidden = try int()
        case "upstream_doubling":
            guard let b = value as? Bool else { throw ModelError.invalidConfig("upstream_doubling must be true or false, got \(value)") }
            upstreamDoubling = b
        case "activation": activation = try ModelConfig.activation(named: try string())
        case "mode":
            let s = try string()
            guard let m = AssemblyMode(rawValue: s) else {
                throw ModelError.invalidConfig("unknown mode \"\(s)\"; expected \"predictor\" or \"seq2seq\"")
            }
            mode = m
        default:
            throw ModelError.invalidConfig("unknown key \(key); the keys are \(ModelConfig.keys.joined(separator: ", "))")
        }
    }

    /// The activation called `name` ("tanh", "relu", "leaky_relu" or "leakyRelu", "sigmoid").
    public static func activation(named name: String) throws -> Activation {
        if name == "leakyRelu" { return .leakyRelu }
        guard let a = Activation(rawValue: name) else {
            throw ModelError.invalidConfig("unknown activation \"\(name)\"; expected tanh, relu, leaky_relu or sigmoid")
        }
        return a
    }
}
