// FigureOptions: the author's controls every plot_* takes — `width:` and
// `height:` (inches, or "column" = 3.3 in / "page" = 6.9 in wide), `style:`
// ("paper", the default: a journal column; "standard"; "slides") and
// `font_size:` (the tick labels' size in points; the other fonts keep their
// proportion), `dpi:` (PNG, default 300, written into the file), and, for
// the plots with axes only, `log:`, `xlim:`/`ylim:` (imageParameters leaves
// them out). Applied to a built figure; saving fits its height to what it
// holds. A log y axis is stated on its label ("(log scale)").

import KymoLanguage
import KymoBase
import Figures

enum FigureOptions {
    static let parameters: [BuiltinParameter] = [
        .named("width", .either([.float, .string]), default: .null, doc: "inches, or \"column\" (3.3 in) / \"page\" (6.9 in)"),
        .named("height", .float, default: .null, range: .above(0), doc: "inches (default: the style's)"),
        .named("style", .string, default: .null, choices: ["standard", "paper", "slides"],
               doc: "\"paper\" (the default): a 3.3 in journal column at 7 pt; \"standard\": the screen size at 8 pt; \"slides\": 14 pt ticks"),
        .named("font_size", .float, default: .null, range: .within(4, 40), doc: "tick-label size in points (the other fonts in proportion)"),
        .named("log", .bool, default: .null, doc: "log (true) or linear (false) y axes on the plotting panels (default: linear; plot_loss: log when the losses span more than 20×); a log axis says so on its label"),
        .named("xlim", .list, default: .null, doc: "[low, high] of the x axes"),
        .named("ylim", .list, default: .null, doc: "[low, high] of the y axes"),
        .named("dpi", .float, default: .null, range: .within(10, 2400), doc: "PNG resolution, written into the file (default 300)"),
        .named("svg_text", .bool, default: .bool(false), doc: "SVG: text as <text> elements in DejaVu Sans (editable) rather than glyph outlines"),
    ]

    /// The options of an image grid (plot_frames, plot_attention): not the
    /// axis ones (`log:`, `xlim:`, `ylim:`), which have no axis to act on there;
    /// giving one is an error naming it ("unknown argument 'log' for plot_frames; it takes …").
    static let imageParameters = parameters.filter { !axisOnly.contains($0.name) }
    static let axisOnly: Set<String> = ["log", "xlim", "ylim"]

    /// Line dashes of the "paper" style, one per series: told apart in greyscale up to 8.
    static let dashes: [[Double]] = [[], [5, 2], [1.2, 1.8], [6, 2, 1.2, 2], [3, 3], [8, 2.5], [1.2, 1.8, 1.2, 4.5], [6, 2, 1.2, 2, 1.2, 2]]

    static func limits(_ args: BoundArguments, _ name: String) throws -> AxisRange? {
        guard case .list(let xs) = args[name] else { return nil }
        let v = xs.compactMap(\.numberValue)
        guard v.count == 2, xs.count == 2, v[0].isFinite, v[1].isFinite, v[0] < v[1] else {
            throw BuiltinError("\(name) must be [low, high] with low < high", kind: .range)
        }
        return .fixed(v[0], v[1])
    }

    /// Points per inch.
    static let inch = 72.0
    /// The style a plot_* draws in when none is named: sized for one column of a two-column journal.
    static let defaultStyle = "paper"
    /// The PNG resolution when none is asked for (written into the file).
    static let defaultDPI = 300.0
    /// A journal's column and full text width.
    static let columnWidth = 3.3 * inch, pageWidth = 6.9 * inch
    /// What a log y axis adds to its label.
    static let logNote = " (log scale)"

    /// The width asked for, in points; nil when not given.
    static func width(_ args: BoundArguments) throws -> Double? {
        switch args["width"] {
        case .null: return nil
        case .string(let s):
            switch s {
            case "column": return columnWidth
            case "page": return pageWidth
            default: throw BuiltinError("width must be inches or \"column\" / \"page\", got \"\(s)\"", kind: .range)
            }
        case let v:
            guard let x = v.numberValue, x > 0, x <= 100 else {
                throw BuiltinError("width must be a positive number of inches (at most 100)", kind: .range)
            }
            return x * inch
        }
    }

    /// `fig` with the author's size and fonts. A style with no width given
    /// sets its own: "paper" (the default) a column (3.3 in × 2.2 in for one
    /// panel row) for plots, and at most the page width (6.9 in) for image grids.
    static func apply(_ args: BoundArguments, to fig: inout Figure) throws {
        let named = try args.optionalString("style") ?? defaultStyle
        var style = FigureStyle.named(named) ?? fig.style
        if args.isGiven("font_size") { style = style.withTickFont(try args.double("font_size")) }
        let oldWidth = fig.width, oldHeight = fig.height
        let imagesOnly = fig.panels.allSatisfy { $0.style != .axes }
        var width = try width(args)
        if width == nil && named == "paper" {
            if !imagesOnly { width = columnWidth } else if fig.width > pageWidth { width = pageWidth }
        }
        if let w = width {
            fig.width = w
            // keep the aspect unless a height is given
            fig.height = oldHeight * w / oldWidth
        }
        if args.isGiven("height") { fig.height = try args.double("height") * inch }
        fig.style = style
        let xlim = try limits(args, "xlim"), ylim = try limits(args, "ylim")
        let log: Bool? = args.isGiven("log") ? try args.bool("log") : nil
        for i in fig.panels.indices where fig.panels[i].style == .axes {
            if let xlim { fig.panels[i].xAxis.range = xlim }
            if let ylim { fig.panels[i].yAxis.range = ylim }
            if let log, fig.panels[i].yAxis.label != "learning rate" {
                if log && !fig.panels[i].lines.contains(where: { $0.y.contains { $0 > 0 && $0.isFinite } }) {
                    throw BuiltinError("log: true needs positive values, and panel \(i + 1) has none", kind: .range)
                }
                fig.panels[i].yAxis.scale = log ? .log : .linear
            }
            if fig.panels[i].yAxis.scale == .log, let label = fig.panels[i].yAxis.label, !label.hasSuffix(logNote) {
                fig.panels[i].yAxis.label = label + logNote
            }
            if named == "paper" {
                // each labelled series its own dash, the same across panels (a model keeps its dash);
                // legend-only key entries (no data) stay solid
                var k = 0
                for j in fig.panels[i].lines.indices where fig.panels[i].lines[j].label != nil && !fig.panels[i].lines[j].x.isEmpty {
                    fig.panels[i].lines[j].dash = dashes[k % dashes.count]
                    k += 1
                }
            }
        }
        fig.svgText = try args.bool("svg_text")
        fig.dpi = args.isGiven("dpi") ? try args.double("dpi") : defaultDPI
        if case .string(let t) = args["title"], t.isEmpty { fig.title = nil }   // title: "" draws no title band
    }
}

extension FigureBuiltins {
    /// A plot_* result with the author's options applied.
    static func withOptions(_ args: BoundArguments, _ value: Value) throws -> Value {
        guard case .host(let h) = value, let fv = h as? FigureValue else { return value }
        var fig = fv.figure
        try FigureOptions.apply(args, to: &fig)
        return .host(FigureValue(fig, what: fv.what))
    }
}

extension FigureBuiltins {
    /// `fig.save("x.csv")`: the values the figure draws (Figure.csv()), written atomically.
    static func saveCSV(_ figure: Figure, path: String, _ context: CallContext) throws -> Value {
        let file = try context.outputPath(path)
        do { try AtomicFile.write(Array(figure.csv().utf8), to: file) } catch { throw BuiltinError("cannot write \(path): \(error)") }
        try context.fileWritten(path: path, file: file)
        return .null
    }
}
