// DivergingMap: Moreland's diverging colour maps, computed from the published
// definition (K. Moreland, "Diverging Color Maps for Scientific
// Visualization", ISVC 2009): interpolate in the polar Msh form of CIELAB,
// pass through an unsaturated white of magnitude max(M1, M2, 88) when the
// endpoint hues differ by more than 60°, and spin the hue of an unsaturated
// endpoint. Only what ColorMap needs; not a colour-management module.

import Foundation

enum DivergingMap {
    typealias RGB8 = (Int, Int, Int)
    /// CIE D65 reference white used by Moreland.
    static let white = (x: 0.95047, y: 1.0, z: 1.08883)

    /// `entries` evenly spaced sRGB colours from `from` through white to `to`.
    static func table(from a: RGB8, to b: RGB8, entries: Int) -> [Double] {
        let m1 = msh(fromSRGB: a), m2 = msh(fromSRGB: b)
        var out: [Double] = []
        out.reserveCapacity(entries * 3)
        for i in 0..<entries {
            let c = srgb(fromMsh: interpolate(m1, m2, Double(i) / Double(entries - 1)))
            out += [c.0, c.1, c.2]
        }
        return out
    }

    // MARK: Msh interpolation

    static func interpolate(_ a: (Double, Double, Double), _ b: (Double, Double, Double),
                            _ t: Double) -> (Double, Double, Double) {
        var m1 = a, m2 = b, x = t
        if m1.1 > 0.05 && m2.1 > 0.05 && angleDiff(m1.2, m2.2) > Double.pi / 3 {
            let mid = max(m1.0, m2.0, 88)
            if x < 0.5 { m2 = (mid, 0, 0); x *= 2 } else { m1 = (mid, 0, 0); x = 2 * x - 1 }
        }
        if m1.1 < 0.05 && m2.1 > 0.05 {
            m1.2 = adjustHue(m2, m1.0)
        } else if m2.1 < 0.05 && m1.1 > 0.05 {
            m2.2 = adjustHue(m1, m2.0)
        }
        return ((1 - x) * m1.0 + x * m2.0, (1 - x) * m1.1 + x * m2.1, (1 - x) * m1.2 + x * m2.2)
    }

    static func angleDiff(_ h1: Double, _ h2: Double) -> Double {
        var d = abs(h1 - h2)
        if d > Double.pi { d = 2 * Double.pi - d }
        return d
    }

    /// Hue for an unsaturated colour next to the saturated `saturated`.
    static func adjustHue(_ saturated: (Double, Double, Double), _ mUnsat: Double) -> Double {
        let (m, s, h) = saturated
        if m >= mUnsat { return h }
        let spin = s * (mUnsat * mUnsat - m * m).squareRoot() / (m * sin(s))
        return h > -Double.pi / 3 ? h + spin : h - spin
    }

    // MARK: sRGB ↔ Lab ↔ Msh

    static func msh(fromSRGB c: RGB8) -> (Double, Double, Double) {
        let lab = lab(fromSRGB: (Double(c.0) / 255, Double(c.1) / 255, Double(c.2) / 255))
        let m = (lab.0 * lab.0 + lab.1 * lab.1 + lab.2 * lab.2).squareRoot()
        let s = m > 0 ? acos(lab.0 / m) : 0
        let h = atan2(lab.2, lab.1)
        return (m, s, h)
    }

    static func srgb(fromMsh v: (Double, Double, Double)) -> (Double, Double, Double) {
        let (m, s, h) = v
        let lab = (m * cos(s), m * sin(s) * cos(h), m * sin(s) * sin(h))
        return srgb(fromLab: lab)
    }

    static func lab(fromSRGB c: (Double, Double, Double)) -> (Double, Double, Double) {
        func lin(_ u: Double) -> Double { u > 0.04045 ? pow((u + 0.055) / 1.055, 2.4) : u / 12.92 }
        let r = lin(c.0), g = lin(c.1), b = lin(c.2)
        let x = 0.4124 * r + 0.3576 * g + 0.1805 * b
        let y = 0.2126 * r + 0.7152 * g + 0.0722 * b
        let z = 0.0193 * r + 0.1192 * g + 0.9505 * b
        func f(_ t: Double) -> Double { t > 0.008856 ? cbrt(t) : 7.787 * t + 16.0 / 116.0 }
        let fx = f(x / white.x), fy = f(y / white.y), fz = f(z / white.z)
        return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))
    }

    static func srgb(fromLab lab: (Double, Double, Double)) -> (Double, Double, Double) {
        let fy = (lab.0 + 16) / 116
        let fx = fy + lab.1 / 500
        let fz = fy - lab.2 / 200
        func finv(_ t: Double) -> Double { t > 0.206893 ? t * t * t : (t - 16.0 / 116.0) / 7.787 }
        let x = finv(fx) * white.x, y = finv(fy) * white.y, z = finv(fz) * white.z
        let r = 3.2406 * x - 1.5372 * y - 0.4986 * z
        let g = -0.9689 * x + 1.8758 * y + 0.0415 * z
        let b = 0.0557 * x - 0.2040 * y + 1.0570 * z
        func gamma(_ u: Double) -> Double {
            let v = u > 0.0031308 ? 1.055 * pow(u, 1 / 2.4) - 0.055 : 12.92 * u
            return min(max(v, 0), 1)
        }
        return (gamma(r), gamma(g), gamma(b))
    }
}
