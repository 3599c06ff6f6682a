// FrameFigureBuiltins: plot_frames, and how figures read frame tensors.
// Frames arrive as [T, C, H, W] (or [T, H, W], or one batch [1, T, C, H, W])
// with any C and any H×W. The prediction is aligned with the truth frames it
// predicts: from `start:`, `frames_in:`, `model:`, or the frames_in of the
// model whose `predict` made it; a pair it cannot align is refused.

import KymoLanguage
import TensorEngine
import Models
import Figures

enum FrameTensors {
    /// The frames of `t` as images, indexed [channel][frame].
    static func channels(_ t: Tensor, what: String) throws -> [[FloatImage]] {
        let shape = t.shape
        let (frames, c, h, w): (Int, Int, Int, Int)
        switch shape.count {
        case 4: (frames, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        case 3: (frames, c, h, w) = (shape[0], 1, shape[1], shape[2])
        case 5 where shape[0] == 1: (frames, c, h, w) = (shape[1], shape[2], shape[3], shape[4])
        default: throw BuiltinError("\(what) must be frames [T, C, H, W], got \(describeShape(shape))", kind: .type)
        }
        guard frames > 0, c > 0, h > 0, w > 0 else {
            throw BuiltinError("\(what) has no frames: shape \(describeShape(shape))", kind: .range)
        }
        let values = t.toArray(), n = h * w
        return try (0..<c).map { ch in
            try (0..<frames).map { f in
                let at = (f * c + ch) * n
                return try FigureBuiltins.figureCall { try FloatImage(width: w, height: h, pixels: Array(values[at..<(at + n)])) }
            }
        }
    }

    /// One channel's frames (`channel` 0-based).
    static func frames(_ t: Tensor, channel: Int, what: String) throws -> [FloatImage] {
        let all = try channels(t, what: what)
        guard channel >= 0, channel < all.count else {
            throw BuiltinError("channel \(channel) does not exist: \(what) has \(all.count) channel\(all.count == 1 ? "" : "s") (0…\(all.count - 1))", kind: .range)
        }
        return all[channel]
    }

    /// Smallest and largest finite value over `images`; nil when there is none.
    static func range(_ images: [FloatImage]) -> ClosedRange<Double>? {
        var lo = Double.infinity, hi = -Double.infinity
        for i in images { if let r = i.finiteRange { lo = min(lo, r.lowerBound); hi = max(hi, r.upperBound) } }
        return lo <= hi ? lo...hi : nil
    }
}

/// Which truth frames a prediction is of.
struct FrameAlignment: Equatable {
    /// Index into the truth of the frame the first prediction is of.
    var offset: Int
    /// The frame number (from 1) of the first predicted frame, written under it.
    var firstFrameNumber: Int

    /// - Parameters:
    ///   - start: the number (from 1) of the frame the first prediction is of, when given.
    ///   - framesIn: the model's frames_in (given, or known from `predict`): the prediction starts at frames_in + 1.
    /// A truth as long as the prediction is taken to be the predicted frames
    /// themselves; a longer truth holds the frames before them too.
    static func align(truthCount t: Int, predictionCount p: Int, start: Int?, framesIn: Int?) throws -> FrameAlignment {
        guard p > 0 else { throw BuiltinError("the prediction has no frames", kind: .range) }
        let first: Int
        if let start {
            guard start >= 1 else { throw BuiltinError("start must be a frame number from 1, got \(start)", kind: .range) }
            first = start
        } else if let framesIn {
            guard framesIn >= 0 else { throw BuiltinError("frames_in must be at least 0, got \(framesIn)", kind: .range) }
            first = framesIn + 1
        } else {
            guard t == p else {
                throw BuiltinError("plot_frames cannot tell which of the truth's \(t) frames the \(p) predicted frames are: " +
                                   "pass frames_in: (the model's), model:, or start: (the number of the first predicted frame)", kind: .range)
            }
            return FrameAlignment(offset: 0, firstFrameNumber: 1)
        }
        if t == p { return FrameAlignment(offset: 0, firstFrameNumber: first) }
        guard first - 1 + p <= t else {
            throw BuiltinError("the prediction is of frames \(first)…\(first + p - 1), but the truth has \(t) frames " +
                               "(give the truth from frame 1, or exactly the \(p) predicted frames)", kind: .range)
        }
        return FrameAlignment(offset: first - 1, firstFrameNumber: first)
    }
}

extension FigureBuiltins {
    static func plotFrames(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        try withOptions(args, try plotFramesFigure(args, context))
    }

    static func plotFramesFigure(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let truthValue = try args.host("truth", as: TensorValue.self)
        let predictionValue = try args.host("prediction", as: TensorValue.self)
        var truth = try FrameTensors.channels(truthValue.tensor, what: "truth")
        var prediction = try FrameTensors.channels(predictionValue.tensor, what: "prediction")
        guard truth.count == prediction.count else {
            throw BuiltinError("truth has \(truth.count) channels, the prediction \(prediction.count)", kind: .range)
        }
        var names: [String?] = truth.count == 1 ? [nil] : (0..<truth.count).map { "ch. \($0)" }
        if args.isGiven("channel") {
            let c = try args.int("channel")
            guard c >= 0, c < truth.count else {
                throw BuiltinError("channel \(c) does not exist: the frames have \(truth.count) channel\(truth.count == 1 ? "" : "s") (0…\(truth.count - 1))", kind: .range)
            }
            truth = [truth[c]]; prediction = [prediction[c]]
            names = [truth.count == 1 && names.count == 1 ? nil : "ch. \(c)"]
        }
        var framesIn: Int? = predictionValue.predictedAfter
        if args.isGiven("model") { framesIn = try ModelBuiltins.model(args).config.framesIn }
        if args.isGiven("frames_in") { framesIn = try args.int("frames_in") }
        let start: Int? = args.isGiven("start") ? try args.int("start") : nil
        let a = try FrameAlignment.align(truthCount: truth[0].count, predictionCount: prediction[0].count,
                                         start: start, framesIn: framesIn)
        let showInputs = try args.bool("inputs")
        let cmap = try args.optionalString("cmap").map { name -> ColorMap in
            guard let m = ColorMap.named(name) else {
                throw BuiltinError("unknown colour map '\(name)': use viridis, magma, gray or coolwarm", kind: .range)
            }
            return m
        }
        let channels = (0..<truth.count).map { k -> FrameChannel in
            let target = Array(truth[k][a.offset..<(a.offset + prediction[k].count)])
            let inputs = showInputs ? Array(truth[k][..<a.offset]) : []
            let data = FrameTensors.range(inputs + target + prediction[k]) ?? 0...1
            // Grey frames whose truth lies in 0…1 (Moving MNIST) need no bar, the prediction clipped to
            // that scale; anything else is a field with its own scale over truth and prediction.
            let observed = FrameTensors.range(truth[k]) ?? 0...1
            let unit = observed.lowerBound >= 0 && observed.upperBound <= 1 && truth.count == 1 && cmap == nil
            var range = unit ? 0...1 : data
            if !(range.upperBound > range.lowerBound) { range = (range.lowerBound - 0.5)...(range.upperBound + 0.5) }
            return FrameChannel(name: names[k], truth: target, prediction: prediction[k], inputs: inputs,
                                colorMap: cmap ?? (unit ? .gray : .viridis), range: range,
                                colorBarLabel: unit ? nil : "value" + (names[k].map { " (\($0))" } ?? ""))
        }
        let title = try args.optionalString("title") ?? "Ground truth, prediction and absolute error"
        let fig = try figureCall {
            try PredictionStrip.figure(channels: channels, showError: try args.bool("error"), firstFrameNumber: a.firstFrameNumber,
                                       title: title.isEmpty ? nil : title)
        }
        return .host(FigureValue(fig, what: "prediction strip of frames \(a.firstFrameNumber)…\(a.firstFrameNumber + prediction[0].count - 1)"))
    }
}
