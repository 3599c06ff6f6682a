// Color: an sRGB colour with straight (non-premultiplied) alpha, plus the
// colour-blind-safe cycle used for line series. Colour maps live in
// ColorMap.swift; this file holds only single colours.

/// An sRGB colour, components in 0...1, alpha not premultiplied.
public struct Color: Equatable, Hashable, Sendable {
    public var red: Double
    public var green: Double
    public var blue: Double
    public var alpha: Double

    public init(red: Double, green: Double, blue: Double, alpha: Double = 1) {
        self.red = red; self.green = green; self.blue = blue; self.alpha = alpha
    }

    /// A colour from a 24-bit hex value such as `0x0072B2`.
    public init(hex: UInt32, alpha: Double = 1) {
        self.init(red: Double((hex >> 16) & 0xFF) / 255,
                  green: Double((hex >> 8) & 0xFF) / 255,
                  blue: Double(hex & 0xFF) / 255,
                  alpha: alpha)
    }

    /// A gray of the given lightness (0 black, 1 white).
    public init(gray: Double, alpha: Double = 1) {
        self.init(red: gray, green: gray, blue: gray, alpha: alpha)
    }

    public func withAlpha(_ a: Double) -> Color {
        Color(red: red, green: green, blue: blue, alpha: a)
    }

    /// This colour, at its own alpha, composited over an opaque `background`
    /// (the "over" operator in sRGB, as PDF and SVG viewers do it).
    public func composited(over background: Color) -> Color {
        let a = alpha
        return Color(red: red * a + background.red * (1 - a),
                     green: green * a + background.green * (1 - a),
                     blue: blue * a + background.blue * (1 - a),
                     alpha: 1)
    }

    /// The colour as 8-bit components, rounded to nearest.
    public var rgb8: (UInt8, UInt8, UInt8) {
        func q(_ v: Double) -> UInt8 { UInt8(max(0, min(255, (v * 255).rounded()))) }
        return (q(red), q(green), q(blue))
    }

    /// `#rrggbb` (and `@alpha` when not opaque), for logs and tests.
    public var hexString: String {
        let (r, g, b) = rgb8
        let digits = Array("0123456789abcdef")
        var s = "#"
        for v in [r, g, b] { s.append(digits[Int(v >> 4)]); s.append(digits[Int(v & 15)]) }
        if alpha < 1 { s += "@" + FixedPoint.format(alpha, decimals: 2) }
        return s
    }

    public static let black = Color(gray: 0)
    public static let white = Color(gray: 1)
    /// Text and axis lines: near-black, softer than pure black on screen and paper.
    public static let ink = Color(hex: 0x222222)
    /// Grid lines: light enough to sit behind data.
    public static let grid = Color(hex: 0xE3E3E3)
    /// The legend key's neutral grey (entries that explain a line style, not a series).
    public static let keyGrey = Color(hex: 0x666666)

    /// The Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"),
    /// distinguishable under the common colour-vision deficiencies. Ordered
    /// for lines on white: the pale yellow comes last.
    public static let okabeIto: [Color] = [
        Color(hex: 0x0072B2),  // blue
        Color(hex: 0xD55E00),  // vermillion
        Color(hex: 0x009E73),  // bluish green
        Color(hex: 0xE69F00),  // orange
        Color(hex: 0xCC79A7),  // reddish purple
        Color(hex: 0x56B4E9),  // sky blue
        Color(hex: 0x000000),  // black
        Color(hex: 0xF0E442),  // yellow
    ]

    /// The `index`-th colour of the series cycle (wraps around).
    public static func cycle(_ index: Int) -> Color {
        okabeIto[((index % okabeIto.count) + okabeIto.count) % okabeIto.count]
    }
}

/// Fixed-point formatting without Foundation, for logs (not for tick labels:
/// those use the exact decimal formatter in TickLabels.swift).
enum FixedPoint {
    static func format(_ v: Double, decimals: Int) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(v) * scale).rounded()
        if scaled >= 9.0e15 { return v < 0 ? "-big" : "big" }
        let n = Int64(scaled)
        var digits = String(n)
        if decimals > 0 {
            while digits.count <= decimals { digits = "0" + digits }
            let cut = digits.index(digits.endIndex, offsetBy: -decimals)
            digits = String(digits[..<cut]) + "." + String(digits[cut...])
        }
        return (v < 0 && n != 0 ? "-" : "") + digits
    }
}
