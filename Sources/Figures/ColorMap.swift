// ColorMap: a continuous map from 0...1 to colour, stored as an evenly spaced
// table and read with linear interpolation. Viridis and magma come from their
// published tables (ColorMapData.swift); the diverging map is Moreland's
// cool–warm, computed from its published definition (DivergingMap.swift).
// Not a general colour-science library.

public struct ColorMap: Sendable {
    public let name: String
    /// Evenly spaced sRGB entries, `count × 3` values.
    let table: [Double]
    /// Colour for NaN values.
    public let badColor: Color

    init(name: String, table: [Double], badColor: Color = Color(gray: 1)) {
        precondition(table.count >= 6 && table.count % 3 == 0, "a colour map needs at least two entries")
        self.name = name
        self.table = table
        self.badColor = badColor
    }

    /// Number of entries in the underlying table.
    public var entryCount: Int { table.count / 3 }

    /// The colour at `t` (clamped to 0...1; NaN gives `badColor`).
    public func color(at t: Double) -> Color {
        if t.isNaN { return badColor }
        let n = entryCount
        let u = min(max(t, 0), 1) * Double(n - 1)
        let i = min(Int(u), n - 2)
        let f = u - Double(i)
        let a = 3 * i, b = 3 * (i + 1)
        return Color(red: table[a] + (table[b] - table[a]) * f,
                     green: table[a + 1] + (table[b + 1] - table[a + 1]) * f,
                     blue: table[a + 2] + (table[b + 2] - table[a + 2]) * f)
    }

    /// The colour of `value` when `range` spans the whole map.
    public func color(of value: Double, in range: ClosedRange<Double>) -> Color {
        let span = range.upperBound - range.lowerBound
        if value.isNaN { return badColor }
        return color(at: span > 0 ? (value - range.lowerBound) / span : 0.5)
    }

    /// The table entry `i` (for tests against published values).
    public func entry(_ i: Int) -> Color {
        Color(red: table[3 * i], green: table[3 * i + 1], blue: table[3 * i + 2])
    }

    /// Perceptually uniform, blue–green–yellow (van der Walt & Smith).
    public static let viridis = ColorMap(name: "viridis", table: ColorMapData.viridis)
    /// Perceptually uniform, black–purple–orange–cream (van der Walt & Smith).
    public static let magma = ColorMap(name: "magma", table: ColorMapData.magma)
    /// Black to white, for frames.
    public static let gray = ColorMap(name: "gray", table: [0, 0, 0, 1, 1, 1])
    /// Diverging blue–white–red for signed values (Moreland 2009, "smooth
    /// cool warm"); centre the range on zero to put zero at the white middle.
    public static let coolWarm = ColorMap(name: "coolwarm",
                                          table: DivergingMap.table(from: (59, 76, 192), to: (180, 4, 38), entries: 257),
                                          badColor: Color(gray: 0.5))

    /// Look a map up by name (`viridis`, `magma`, `gray`, `coolwarm`).
    public static func named(_ name: String) -> ColorMap? {
        switch name.lowercased() {
        case "viridis": return .viridis
        case "magma": return .magma
        case "gray", "grey": return .gray
        case "coolwarm", "diverging": return .coolWarm
        default: return nil
        }
    }
}
