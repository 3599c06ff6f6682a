// FigureBuiltins: plot_loss, plot_attention, plot_frames and plot_metrics.
// They turn Kymo values (histories, tensors, evaluation records) into plain
// arrays for the Figures target; saving goes through the host's writer
// (`SessionOptions.figureWriter`, Cairo in the kymo executable).

import KymoLanguage
import Foundation
import TensorEngine
import Models
import Figures

enum FigureBuiltins {
    static func figureCall<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as FigureError { throw BuiltinError("\(e)") }
    }

    static func labels(_ args: BoundArguments, count: Int, fallback: (Int) -> String) throws -> [String] {
        guard case .list(let xs) = args["labels"] else { return (0..<count).map(fallback) }
        guard xs.count == count else {
            throw BuiltinError("labels has \(xs.count) entries for \(count) series", kind: .range)
        }
        return try xs.map { v in
            guard case .string(let s) = v else { throw BuiltinError("labels must be strings, got \(v.typeName)", kind: .type) }
            return s
        }
    }

    /// The loss axis's label: which loss, when every history says the same ("loss (MSE, mean over pixels)");
    /// "training loss" for histories that do not say (load_sweep's).
    static func lossLabel(_ histories: [HistoryValue]) -> String {
        let names = Set(histories.map { $0.lossName ?? "" })
        guard names.count == 1, let name = names.first, !name.isEmpty else { return "training loss" }
        return "loss (\(name))"
    }

    static func plotLoss(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        try withOptions(args, try plotLossFigure(args, context))
    }

    static func plotLossFigure(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        if SweepBuiltins.isGroups(args["histories"]) { return try SweepBuiltins.plotLossGroups(args, context) }
        var histories: [HistoryValue] = []
        switch args["histories"] {
        case .host(let h as HistoryValue): histories = [h]
        case .list(let xs):
            histories = try xs.map { v in
                guard case .host(let h as HistoryValue) = v else {
                    throw BuiltinError("plot_loss takes histories from train(...), got a \(v.typeName)", kind: .type)
                }
                return h
            }
        default: throw BuiltinError("plot_loss takes a history or a list of them", kind: .type)
        }
        guard !histories.isEmpty else { throw BuiltinError("plot_loss needs at least one history", kind: .range) }
        let names = try labels(args, count: histories.count) { histories[$0].label }
        var runs = try zip(histories, names).map { h, name in
            try figureCall {
                try LossRun(label: name, steps: h.history.steps.map(Double.init), loss: h.history.loss.map(Double.init),
                            validationSteps: h.history.validationSteps.map(Double.init),
                            validationLoss: h.history.validationLoss.map(Double.init))
            }
        }
        let showLR = try args.bool("lr")
        if showLR { for (i, h) in histories.enumerated() { runs[i].lr = h.history.lr } }
        // smooth: an EMA weight, named in the legend with its window; none unless asked for.
        let weight = args.isGiven("smooth") ? try args.double("smooth") : 0
        let fig = try figureCall {
            try LossPlot.figure(runs: runs, smoothing: weight > 0 ? weight : nil,
                                title: try args.optionalString("title") ?? "Training loss", yLabel: lossLabel(histories),
                                lrPanel: showLR)
        }
        return .host(FigureValue(fig, what: "loss curves of \(runs.count) run(s)"))
    }

    /// Every step `attention()` returns (or those of `steps:`), each map over
    /// the frame that step read: the observed frame while t ≤ frames_in, the
    /// model's own prediction after (a predictor), captioned "t = 12*"; one
    /// colour scale over the panels drawn.
    static func plotAttention(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        try withOptions(args, try plotAttentionFigure(args, context))
    }

    static func plotAttentionFigure(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let m = try ModelBuiltins.model(args), seq = try ModelBuiltins.tensor(args, "seq")
        let q = try ModelBuiltins.queryPixel(args), layer = try args.int("layer")
        let maps = try ModelBuiltins.call {
            try withNoGrad { try m.attentionMaps(sequence: seq, layer: layer, query: q).pixelMaps() }
        }
        let count = maps.shape[0], framesIn = m.config.framesIn
        let channel = args.isGiven("channel") ? try args.int("channel") : 0
        let observed = try FrameTensors.frames(seq, channel: channel, what: "seq")
        // Steps t ≥ frames_in of a predictor read its previous prediction, frame t.
        var inputs = Array(observed.prefix(min(framesIn, count)))
        if count > inputs.count {
            let predicted = try FrameTensors.frames(try ModelBuiltins.call { try withNoGrad { try m.predict(seq) } },
                                                    channel: channel, what: "prediction")
            inputs += predicted.prefix(count - inputs.count)
        }
        let all = try FrameTensors.channels(maps, what: "attention maps")[0]
        var chosen = Array(0..<count)
        if args.isGiven("steps") {
            let steps = try args.intList("steps")
            guard !steps.isEmpty else { throw BuiltinError("steps must name at least one step", kind: .range) }
            for t in steps where t < 1 || t > count {
                throw BuiltinError("step \(t) does not exist: attention() gives steps 1…\(count) for this model", kind: .range)
            }
            chosen = steps.map { $0 - 1 }
        }
        let predicted = Set(chosen.enumerated().filter { $0.element >= framesIn }.map(\.offset))
        let shown = chosen.map { inputs[$0] }
        // Observed frames in 0…1 (Moving MNIST) keep that scale (predictions clipped to it);
        // a physical field is shown over the range of what is drawn.
        var frameRange = FrameTensors.range(observed) ?? 0...1
        if !(frameRange.lowerBound >= 0 && frameRange.upperBound <= 1) { frameRange = FrameTensors.range(shown + observed) ?? 0...1 }
        if frameRange.lowerBound >= 0 && frameRange.upperBound <= 1 { frameRange = 0...1 }
        if !(frameRange.upperBound > frameRange.lowerBound) { frameRange = (frameRange.lowerBound - 0.5)...(frameRange.upperBound + 0.5) }
        let title = try args.optionalString("title")
            ?? "\(m.family.displayName), layer \(layer): attention of query (y, x) = (\(q.y), \(q.x))"
        let fig = try figureCall {
            try AttentionPlot.figure(frames: shown, maps: chosen.map { all[$0] },
                                     query: PixelQuery(y: q.y, x: q.x),
                                     frameLabels: chosen.map { "t = \($0 + 1)" },
                                     title: title.isEmpty ? nil : title,
                                     opacity: try args.bool("overlay") ? try args.double("opacity") : 1,
                                     frameRange: frameRange, predicted: predicted)
        }
        return .host(FigureValue(fig, what: "attention maps of layer \(layer), \(chosen.count) step\(chosen.count == 1 ? "" : "s")"))
    }

    static func plotMetrics(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        try withOptions(args, try plotMetricsFigure(args, context))
    }

    static func plotMetricsFigure(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        if SweepBuiltins.isGroups(args["records"]) { return try SweepBuiltins.plotMetricsGroups(args, context) }
        guard case .list(let rs) = args["records"], !rs.isEmpty else {
            throw BuiltinError("plot_metrics needs a non-empty list of evaluate(...) records", kind: .range)
        }
        func curve(_ r: Record, _ key: String) throws -> [Double] { try perFrame(.record(r), key) }
        let names = try labels(args, count: rs.count) { "model \($0 + 1)" }
        let curves = try zip(rs, names).map { v, name -> MetricCurves in
            guard case .record(let r) = v else { throw BuiltinError("plot_metrics takes records, got a \(v.typeName)", kind: .type) }
            return MetricCurves(label: name, mse: try curve(r, "mse_per_frame"), ssim: try curve(r, "ssim_per_frame"))
        }
        let title = try args.optionalString("title") ?? "Per-frame metrics over the horizon"
        let fig = try figureCall { try MetricPlot.figure(models: curves, title: title) }
        return .host(FigureValue(fig, what: "metric curves of \(curves.count) model(s)"))
    }

    /// A per-frame series (`mse_per_frame`, `ssim_per_frame`) from what plot_metrics is given:
    /// an evaluate(...) record, a load_sweep point or its `.series` (where the notebook
    /// logged one value per frame), or a record with exactly one key ending in the name
    /// (`ConvLSTM.mse_per_frame`). Otherwise the error names the keys there and the call to make.
    static func perFrame(_ v: Value, _ key: String) throws -> [Double] {
        guard case .record(let r) = v else {
            throw BuiltinError("plot_metrics takes records (evaluate(...) results or load_sweep points), got a \(v.typeName)", kind: .type)
        }
        if case .list(let xs)? = r[key] { return xs.compactMap(\.numberValue) }
        if case .record? = r["series"], r["run"] != nil { return try perFrame(r["series"]!, key) }   // a load_sweep point
        let suffixed = r.pairs.filter { $0.0.hasSuffix("." + key) || $0.0.hasSuffix("_" + key) }
        if suffixed.count == 1, case .list(let xs) = suffixed[0].1 { return xs.compactMap(\.numberValue) }
        let have = r.pairs.map(\.0)
        throw BuiltinError("plot_metrics: no '\(key)' among this record's keys (\(have.isEmpty ? "none" : have.joined(separator: ", "))); " +
                           "pass evaluate(...) records, or load_sweep points (or their .series) from a notebook that logs each frame: " +
                           "for v in r.\(key) { log(\"\(key)\", v) }", kind: .type)
    }
}

extension TrainingOptions {
    /// The loss as a figure's axis names it: "MSE, mean over pixels" (reduction
    /// mean: over every predicted pixel of the batch) or "MSE, sum over pixels".
    var lossName: String { "\(loss.rawValue.uppercased()), \(reduction.rawValue) over pixels" }
}
