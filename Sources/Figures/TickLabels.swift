// TickLabels: text for tick values given as exact decimals (integer × 10ᵉ).
// Labels on one axis share their number of decimals (0.0, 0.5, 1.0); a common
// power of ten is factored out for very large or small values; negative
// numbers use the typographic minus sign (U+2212). No floating-point printing
// is involved anywhere, so no float noise can reach a label.

public enum TickLabels {
    static let minus = "\u{2212}"
    static let superscripts: [Character: Character] = [
        "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴",
        "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹", "-": "⁻",
    ]

    /// Labels for the values `ns[i] × 10^exponent`, sharing their decimals, and
    /// the factored-out multiplier if the magnitudes call for one.
    public static func linear(_ ns: [Int], exponent: Int) -> (labels: [String], multiplier: String?) {
        // Magnitude of the largest value: digits of n plus the exponent.
        let largest = ns.map { abs($0) }.max() ?? 0
        var shift = 0
        if largest != 0 {
            let p = String(largest).count - 1 + exponent
            if p >= 5 || p <= -3 { shift = p }
        }
        let e = exponent - shift
        let decimals = max(0, -e)
        let labels = ns.map { format($0, exponent: e, decimals: decimals) }
        return (labels, shift == 0 ? nil : "×" + powerOfTen(shift))
    }

    /// `n × 10^exponent` written in full with its shortest exact decimals.
    public static func decimal(_ n: Int, exponent: Int) -> String {
        var n = n, e = exponent
        while n != 0 && n % 10 == 0 && e < 0 { n /= 10; e += 1 }
        return format(n, exponent: e, decimals: max(0, -e))
    }

    /// "10ⁿ" with a superscript exponent.
    public static func powerOfTen(_ n: Int) -> String {
        "10" + String(String(n).map { superscripts[$0] ?? $0 })
    }

    /// `n × 10^exponent` with exactly `decimals` digits after the point
    /// (`decimals` ≥ −exponent).
    static func format(_ n: Int, exponent: Int, decimals: Int) -> String {
        var digits = String(n.magnitude)
        if exponent >= 0 {
            if n != 0 { digits += String(repeating: "0", count: exponent) }
            if decimals > 0 { digits += "." + String(repeating: "0", count: decimals) }
        } else {
            let frac = -exponent
            while digits.count <= frac { digits = "0" + digits }
            let cut = digits.index(digits.endIndex, offsetBy: -frac)
            digits = String(digits[..<cut]) + "." + String(digits[cut...])
                + String(repeating: "0", count: decimals - frac)
        }
        return (n < 0 ? minus : "") + digits
    }
}
