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

    /// Ticks inside the range, at most `maxTicks`.
    func ticks(maxTicks: Int) -> AxisTicks {
        let lo = range.lowerBound, hi = range.upperBound > range.lowerBound ? range.upperBound : range.lowerBound + 1
        var t = TickGenerator.linear(lower: lo, upper: hi, maxTicks: maxTicks, mode: .tight)
        t.lower = lo; t.upper = hi
        return t
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
