// SweepBuiltins: `load_sweep(path_or_id)` — a finished sweep's verified point
// records as notebook values, so a figure notebook can run over a sweep —
// and the group forms of `plot_loss` and `plot_metrics`: a list of lists of
// histories (or evaluation records) draws each inner list as one group, its
// mean line with a band of ±1 sd (`band: "sd"`, the default) or min–max
// (`band: "minmax"`) over the group, the band named in the legend.

import KymoLanguage
import Foundation
import Models
import Figures
import Records

enum SweepBuiltins {
    // MARK: load_sweep

    /// An override's text as a value: integers, floats, booleans and quoted strings as such, anything else as its text.
    static func literal(_ text: String) -> Value {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let i = Int(t) { return .int(i) }
        if let d = Double(t) { return .float(d) }
        if t == "true" { return .bool(true) }
        if t == "false" { return .bool(false) }
        if t.count >= 2, t.hasPrefix("\""), t.hasSuffix("\"") {
            return .string(String(t.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\""))
        }
        return .string(t)
    }

    static func loadSweep(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let reference = try args.string("sweep")
        // Folders are only looked in; every file read (sweep.json, each point's
        // record.json) goes through the path policy and is recorded as an input,
        // so a confined replay may read exactly those and finds a changed one.
        let wd = context.session.options.workingDirectory ?? FileManager.default.currentDirectoryPath
        func name(_ path: String) -> String {
            let base = wd.hasSuffix("/") ? wd : wd + "/"
            return path.hasPrefix(base) ? String(path.dropFirst(base.count)) : path
        }
        // A replay looks where the recorded inputs were found (PathPolicy.lookIn):
        // `logical` maps such a folder back to the name the notebook gave.
        let policy = context.session.options.paths
        var logical: [String: String] = [:]
        func look(_ folder: String) -> String {
            let real = policy.lookIn(folder)
            logical[real] = folder
            return real
        }
        func name(of file: String) -> String {
            for (real, named) in logical where file.hasPrefix(real + "/") { return name(named + file.dropFirst(real.count)) }
            return name(file)
        }
        func read(_ file: String, kind: String) throws {
            _ = try context.resolvePath(name(of: file))
            try context.fileRead(name: name(of: file), file: file, kind: kind)
        }
        var stores: [RunStore] = []
        if case .string(let r) = args["runs"], !r.isEmpty { stores = [RunStore(folder: look(context.absolute(r)))] } else {
            let base = look(wd)
            stores = [RunStore(folder: base + "/runs")]
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
            for n in names where FileManager.default.fileExists(atPath: base + "/" + n + "/runs") { stores.append(RunStore(folder: base + "/" + n + "/runs")) }
        }
        let ref = reference.hasPrefix("sweep-") && !reference.contains("/") ? reference : look(context.absolute(reference))
        let found: (store: RunStore, sweep: SweepRecord)?
        do { found = try SweepStore.resolve(ref, in: stores) } catch { throw BuiltinError("load_sweep: \(error)") }
        guard let store = found?.store, let sweep = found?.sweep else {
            throw BuiltinError("load_sweep: '\(reference)' is not a sweep (give sweep-<id>, a sweep folder or its sweep.json)", kind: .range)
        }
        try read(SweepStore.folder(store, id: sweep.id) + "/" + SweepStore.fileName, kind: "sweep")
        let (records, missing) = SweepStore.records(of: sweep, in: store)
        if records.isEmpty {
            throw BuiltinError("load_sweep: \(sweep.id) has no complete point yet (\(missing.count) missing)", kind: .range)
        }
        for r in records { try read(store.recordPath(r.id), kind: "record") }
        return .list(records.map(pointValue))
    }

    /// `{run, seed, overrides, metrics, series, histories, history, seconds}` of
    /// one point's record. A training site's history carries its validation
    /// series (`SITE.validation`) too; `seconds` is each cell's recorded wall
    /// time by title (timing, never bits: it is read from the record).
    static func pointValue(_ r: RunRecord) -> Value {
        var metrics: [(String, Value)] = [], series: [(String, Value)] = [], histories: [(String, Value)] = []
        let validation = Dictionary(r.metrics.filter { $0.source == "train" && $0.name.hasSuffix(".validation") }.map { ($0.name, $0) },
                                    uniquingKeysWith: { a, _ in a })
        for s in r.metrics where s.values.count > 0 {
            let values = s.values.doubles
            metrics.append((s.name, .float(values[values.count - 1])))
            series.append((s.name, .list(values.map { .float($0) })))
            if s.source == "train" {
                var h = TrainingHistory()
                h.steps = s.steps
                h.loss = values.map { Float($0) }
                let site = s.name.hasSuffix(".loss") ? String(s.name.dropLast(5)) : s.name
                if let v = validation[site + ".validation"], s.name.hasSuffix(".loss") {
                    h.validationSteps = v.steps
                    h.validationLoss = v.values.doubles.map { Float($0) }
                }
                histories.append((site, .host(HistoryValue(h, label: "\(r.id) \(site)"))))
            }
        }
        let seconds = r.cells.enumerated().map { i, c in (c.title ?? "cell \(i)", Value.float(c.duration)) }
        return .record(Record([
            ("run", .string(r.id)),
            ("seed", .int(Int(truncatingIfNeeded: r.seed))),
            ("overrides", .record(Record(r.overrides.map { ($0.key, literal($0.value)) }))),
            ("metrics", .record(Record(metrics))),
            ("series", .record(Record(series))),
            ("histories", .record(Record(histories))),
            ("history", histories.first?.1 ?? .null),
            ("seconds", .record(Record(uniqueKeys(seconds)))),
        ]))
    }

    /// Pairs with repeated keys made unique ("Train", "Train 2", …).
    static func uniqueKeys(_ pairs: [(String, Value)]) -> [(String, Value)] {
        var seen: [String: Int] = [:]
        return pairs.map { k, v in
            let n = (seen[k] ?? 0) + 1
            seen[k] = n
            return (n == 1 ? k : "\(k) \(n)", v)
        }
    }

    // MARK: groups

    /// The band bounds of one x's values: mean ± sd (sample) or min and max.
    static func bounds(_ xs: [Double], band: String) -> (mean: Double, low: Double, high: Double) {
        let s = Statistics.summary(xs)
        if band == "minmax" { return (s.mean, s.min, s.max) }
        let sd = s.sd ?? 0
        return (s.mean, s.mean - sd, s.mean + sd)
    }

    /// The groups' sizes for a figure's description: "3", or "2, 3".
    static func sizes(_ ns: [Int]) -> String { ns.map(String.init).joined(separator: ", ") }

    /// A group's size as its legend entry says it: "(n = 3)", kept on one line (no-break spaces).
    static func groupSize(_ n: Int) -> String { "(n\u{00A0}=\u{00A0}\(n))" }

    /// The band as a title names it; each group's label says its size ("(n = 3)").
    static func bandName(_ band: String) -> String {
        band == "minmax" ? "min–max" : "±1 sd"
    }

    /// Whether a plot argument is a list of lists (the group form).
    static func isGroups(_ v: Value) -> Bool {
        guard case .list(let xs) = v, let first = xs.first, case .list = first else { return false }
        return true
    }

    static func groups(_ v: Value, _ what: String) throws -> [[Value]] {
        guard case .list(let xs) = v else { throw BuiltinError("\(what) takes a list of groups", kind: .type) }
        return try xs.enumerated().map { i, g in
            guard case .list(let items) = g else {
                throw BuiltinError("\(what): each group is a non-empty list, got a \(g.typeName) as group \(i + 1)", kind: .type)
            }
            guard !items.isEmpty else { throw BuiltinError("\(what): group \(i + 1) is empty", kind: .range) }
            return items
        }
    }

    static func plotLossGroups(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let band = try args.string("band")
        let gs = try groups(args["histories"], "plot_loss")
        let histories: [[HistoryValue]] = try gs.map { g in
            try g.map { v in
                guard case .host(let h as HistoryValue) = v else {
                    throw BuiltinError("plot_loss takes groups of histories, got a \(v.typeName) in a group", kind: .type)
                }
                return h
            }
        }
        let names = try FigureBuiltins.labels(args, count: histories.count) { "group \($0 + 1)" }
        let weight = args.isGiven("smooth") ? try args.double("smooth") : 0
        var curves: [BandCurve] = []
        for (g, name) in zip(histories, names) {
            let steps = g[0].history.steps
            guard !steps.isEmpty else { throw BuiltinError("plot_loss: an empty history in group '\(name)'", kind: .range) }
            for h in g where h.history.steps != steps {
                throw BuiltinError("plot_loss: the histories of group '\(name)' differ in their steps (\(steps.count) vs \(h.history.steps.count)); a group needs equal steps", kind: .range)
            }
            // smooth: each history smoothed as plot_loss smooths one (named in the legend), then the statistics per step.
            let losses = g.map { h -> [Double] in
                let raw = h.history.loss.map(Double.init)
                return weight > 0 ? Smoothing.exponentialMovingAverage(raw, weight: weight) : raw
            }
            var mean: [Double] = [], low: [Double] = [], high: [Double] = []
            for k in steps.indices {
                let column = losses.map { $0[k] }
                var b = bounds(column, band: band)
                if b.low <= 0 { b.low = column.min() ?? b.low }   // a log axis: the band's bottom at the smallest run
                mean.append(b.mean); low.append(b.low); high.append(b.high)
            }
            let label = "\(name) \(groupSize(g.count))"
            curves.append(try FigureBuiltins.figureCall {
                try BandCurve(label: label, x: steps.map(Double.init), mean: mean, low: low, high: high)
            })
        }
        let bandText = bandName(band)
        let title = try args.optionalString("title") ?? "Training loss"
        let yLabel = FigureBuiltins.lossLabel(histories.flatMap { $0 })
        let note = weight > 0 ? "each run smoothed: " + LossPlot.smoothingNote(weight) : nil
        let fig = try FigureBuiltins.figureCall {
            try BandPlot.loss(groups: curves, band: bandText, title: title, yLabel: yLabel, note: note)
        }
        return .host(FigureValue(fig, what: "mean loss curves of \(curves.count) group(s) (n = \(sizes(histories.map(\.count)))), band \(bandText)"))
    }

    static func plotMetricsGroups(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let band = try args.string("band")
        let gs = try groups(args["records"], "plot_metrics")
        let names = try FigureBuiltins.labels(args, count: gs.count) { "model \($0 + 1)" }
        func curve(_ v: Value, _ key: String) throws -> [Double] { try FigureBuiltins.perFrame(v, key) }
        var mse: [BandCurve] = [], ssim: [BandCurve] = []
        for (g, name) in zip(gs, names) {
            for (key, target) in [("mse_per_frame", 0), ("ssim_per_frame", 1)] {
                let rows = try g.map { try curve($0, key) }
                let horizon = rows.map(\.count).min() ?? 0
                guard horizon > 0 else { continue }
                var mean: [Double] = [], low: [Double] = [], high: [Double] = []
                for k in 0..<horizon {
                    let b = bounds(rows.map { $0[k] }, band: band)
                    mean.append(b.mean); low.append(b.low); high.append(b.high)
                }
                let c = try FigureBuiltins.figureCall {
                    try BandCurve(label: "\(name) \(groupSize(g.count))", x: (1...horizon).map(Double.init), mean: mean, low: low, high: high)
                }
                if target == 0 { mse.append(c) } else { ssim.append(c) }
            }
        }
        let bandText = bandName(band)
        let fig = try FigureBuiltins.figureCall {
            try BandPlot.metrics(mse: mse, ssim: ssim, band: bandText, title: try args.optionalString("title") ?? "Per-frame metrics")
        }
        return .host(FigureValue(fig, what: "mean metric curves of \(gs.count) group(s) (n = \(sizes(gs.map(\.count)))), band \(bandText)"))
    }
}
