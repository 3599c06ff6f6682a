// ColorBar: the key for a colour map — a vertical strip with value ticks
// beside the rows of panels it explains.

public struct ColorBar: Sendable {
    public var colorMap: ColorMap
    public var range: ClosedRange<Double>
    public var label: String?
    /// Grid rows the bar stands beside (0-based); nil for all rows.
    public var rows: ClosedRange<Int>?

    public init(colorMap: ColorMap, range: ClosedRange<Double>, label: String? = nil, rows: ClosedRange<Int>? = nil) {
        self.colorMap = colorMap; self.range = range; self.label = label; self.rows = rows
    }

    /// `upper` raised to the next tick of a linear axis from `lower` (at most
    /// 4 ticks), so a bar over `lower...niceUpper` can be ticked at both ends.
    public static func niceUpper(lower: Double, upper: Double) -> Double {
        guard upper > lower, lower.isFinite, upper.isFinite else { return upper }
        return TickGenerator.linear(lower: lower, upper: upper, maxTicks: 4, mode: .loose).upper
    }

    /// Ticks inside the range, about `maxTicks` of them: the fewest near that
    /// number that tick both ends when some do (a range from `niceUpper`),
    /// else at most `maxTicks` inside.
    func ticks(maxTicks: Int) -> AxisTicks {
        let lo = range.lowerBound, hi = range.upperBound > range.lowerBound ? range.upperBound : range.lowerBound + 1
        func make(_ m: Int) -> AxisTicks {
            var t = TickGenerator.linear(lower: lo, upper: hi, maxTicks: m, mode: .tight)
            t.lower = lo; t.upper = hi
            return t
        }
        func bothEnds(_ t: AxisTicks) -> Bool {
            let eps = 1e-9 * (hi - lo)
            return t.major.contains { abs($0.value - lo) <= eps } && t.major.contains { abs($0.value - hi) <= eps }
        }
        for m in Array((2...max(2, maxTicks)).reversed()) + Array((max(2, maxTicks) + 1)...(max(2, maxTicks) + 4)) {
            let t = make(m)
            if bothEnds(t) { return t }
        }
        return make(maxTicks)
    }

    /// The label with any common factor of the ticks appended.
    func fullLabel(_ ticks: AxisTicks) -> String? {
        switch (label, ticks.multiplier) {
        case let (l?, m?): return "\(l) (\(m))"
        case let (nil, m?): return m
        case let (l?, nil): return l
        default: return nil
        }
    }

    /// The strip as a 1-wide raster, top = high values.
    func strip(steps: Int = 256) -> RasterImage {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(steps * 3)
        for i in 0..<steps {
            let (r, g, b) = colorMap.color(at: 1 - (Double(i) + 0.5) / Double(steps)).rgb8
            bytes += [r, g, b]
        }
        return RasterImage(width: 1, height: steps, rgb: bytes)
    }
}
