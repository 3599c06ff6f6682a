// Series: the data a plotting panel shows — lines, scatter points and
// heatmaps — as plain arrays with their appearance. No drawing here.

/// Marker symbols, distinct in shape as well as colour.
public enum MarkerShape: String, Sendable, CaseIterable {
    /// Eight shapes, so up to eight series stay apart without colour
    /// (the first five as they always were).
    case circle, square, triangle, diamond, cross, triangleDown, plus, star

    /// The `index`-th shape of the cycle (wraps around).
    public static func cycle(_ index: Int) -> MarkerShape {
        allCases[((index % allCases.count) + allCases.count) % allCases.count]
    }
}

/// A marker's look.
public struct MarkerStyle: Sendable, Equatable {
    public var shape: MarkerShape
    /// Diameter in points.
    public var size: Double
    /// Hollow markers are white inside with a coloured edge.
    public var hollow: Bool
    public init(shape: MarkerShape = .circle, size: Double = 5, hollow: Bool = false) {
        self.shape = shape; self.size = size; self.hollow = hollow
    }
}

/// A polyline through (x[i], y[i]). Non-finite points break the line.
public struct LineSeries: Sendable {
    public var x: [Double]
    public var y: [Double]
    /// Shown in the legend when set.
    public var label: String?
    /// Nil picks the panel's next cycle colour.
    public var color: Color?
    public var width: Double
    public var dash: [Double]
    public var opacity: Double
    /// Markers at every point, when set.
    public var marker: MarkerStyle?
    /// A marker shown on the line's legend swatch only (the run's validation
    /// marker in plot_loss), when `marker` is nil.
    public var legendMarker: MarkerStyle? = nil

    public init(x: [Double], y: [Double], label: String? = nil, color: Color? = nil, width: Double = 1.5,
                dash: [Double] = [], opacity: Double = 1, marker: MarkerStyle? = nil) throws {
        guard x.count == y.count else {
            throw FigureError.lengthMismatch(what: "line \(label.map { "'\($0)'" } ?? "series") y values",
                                             expected: x.count, got: y.count)
        }
        self.x = x; self.y = y; self.label = label; self.color = color; self.width = width
        self.dash = dash; self.opacity = opacity; self.marker = marker
    }
}

/// Points at (x[i], y[i]), e.g. validation losses.
public struct ScatterSeries: Sendable {
    public var x: [Double]
    public var y: [Double]
    public var label: String?
    public var color: Color?
    public var marker: MarkerStyle

    public init(x: [Double], y: [Double], label: String? = nil, color: Color? = nil,
                marker: MarkerStyle = MarkerStyle()) throws {
        guard x.count == y.count else {
            throw FigureError.lengthMismatch(what: "scatter \(label.map { "'\($0)'" } ?? "series") y values",
                                             expected: x.count, got: y.count)
        }
        self.x = x; self.y = y; self.label = label; self.color = color; self.marker = marker
    }
}

/// A grid of values shown through a colour map. In a plotting panel it
/// covers x in 0...width and y in 0...height (row 0 at y = 0).
public struct Heatmap: Sendable {
    public var values: FloatImage
    public var colorMap: ColorMap
    /// Values mapped to the ends of the colour map; nil uses the data range.
    public var range: ClosedRange<Double>?

    public init(values: FloatImage, colorMap: ColorMap = .viridis, range: ClosedRange<Double>? = nil) {
        self.values = values; self.colorMap = colorMap; self.range = range
    }

    /// The range actually used: `range`, or the finite data range.
    public var resolvedRange: ClosedRange<Double> {
        if let r = range { return r }
        return values.finiteRange ?? 0...1
    }
}
