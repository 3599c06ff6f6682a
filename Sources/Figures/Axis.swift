// Axis: what the user asks of an axis (label, scale, range, grid) and the
// resolved axis a panel draws with (ticks plus the data → position map).

import Foundation

/// Linear or base-10 logarithmic.
public enum Scale: String, Sendable { case linear, log }

/// How an axis chooses its range.
public enum AxisRange: Sendable, Equatable {
    /// Nice values close around the data (RangeMode.hug, HuggingRange).
    case auto
    /// Exactly the data range.
    case tight
    /// Exactly these bounds.
    case fixed(Double, Double)
}

public struct Axis: Sendable {
    public var label: String?
    public var scale: Scale
    public var range: AxisRange
    /// Only whole-number tick steps (frame indices, epochs).
    public var integerTicks: Bool
    /// Light grid lines at the major ticks.
    public var grid: Bool
    /// Values grow downwards (y) or leftwards (x), as image rows do.
    public var inverted: Bool

    public init(label: String? = nil, scale: Scale = .linear, range: AxisRange = .auto,
                integerTicks: Bool = false, grid: Bool = true, inverted: Bool = false) {
        self.label = label; self.scale = scale; self.range = range
        self.integerTicks = integerTicks; self.grid = grid; self.inverted = inverted
    }
}

/// An axis with its ticks decided, mapping data values to figure positions.
public struct ResolvedAxis: Sendable {
    public let ticks: AxisTicks
    public let scale: Scale
    public let inverted: Bool

    init(ticks: AxisTicks, scale: Scale, inverted: Bool) {
        self.ticks = ticks; self.scale = scale; self.inverted = inverted
    }

    /// Ticks for `axis` over data values spanning `dataLower...dataUpper`.
    public init(axis: Axis, dataLower: Double?, dataUpper: Double?, maxTicks: Int) {
        scale = axis.scale
        inverted = axis.inverted
        var lo = dataLower ?? (axis.scale == .log ? 1 : 0)
        var hi = dataUpper ?? (axis.scale == .log ? 10 : 1)
        var mode: RangeMode = .hug
        switch axis.range {
        case .auto: mode = .hug
        case .tight: mode = .tight
        case let .fixed(a, b): lo = min(a, b); hi = max(a, b); mode = .tight
        }
        var t: AxisTicks
        switch axis.scale {
        case .linear:
            t = TickGenerator.linear(lower: lo, upper: hi, maxTicks: maxTicks, mode: mode,
                                     integerOnly: axis.integerTicks)
        case .log:
            t = TickGenerator.log(lower: lo, upper: hi, maxTicks: maxTicks, mode: mode)
        }
        if case let .fixed(a, b) = axis.range, a != b, axis.scale == .linear || (a > 0 && b > 0) {
            t.lower = min(a, b); t.upper = max(a, b)
        }
        ticks = t
    }

    /// Position of `v` between `start` (axis lower end) and `end` (upper end),
    /// or nil when `v` cannot be shown (non-finite, or ≤ 0 on a log axis).
    public func position(_ v: Double, start: Double, end: Double) -> Double? {
        guard v.isFinite else { return nil }
        let f: Double
        switch scale {
        case .linear:
            f = (v - ticks.lower) / (ticks.upper - ticks.lower)
        case .log:
            guard v > 0 else { return nil }
            f = (log10(v) - log10(ticks.lower)) / (log10(ticks.upper) - log10(ticks.lower))
        }
        let g = inverted ? 1 - f : f
        return start + g * (end - start)
    }

    /// True when `v` lies within the axis range (with a hair of tolerance).
    public func contains(_ v: Double) -> Bool {
        let span = ticks.upper - ticks.lower
        return v >= ticks.lower - 1e-9 * abs(span) && v <= ticks.upper + 1e-9 * abs(span)
    }
}
