// ImageLayer: what an image panel shows — a stack of value grids, each through
// a colour map at some opacity (a grayscale frame, an attention map over it),
// plus markers at chosen pixels. The stack is composited here, in sRGB, into
// one opaque raster, so every backend draws the same crisp cells.

public struct ImageLayer: Sendable {
    public var values: FloatImage
    public var colorMap: ColorMap
    /// Values mapped to the ends of the colour map.
    public var range: ClosedRange<Double>
    public var opacity: Double

    public init(values: FloatImage, colorMap: ColorMap = .gray, range: ClosedRange<Double> = 0...1,
                opacity: Double = 1) {
        self.values = values; self.colorMap = colorMap; self.range = range; self.opacity = opacity
    }
}

/// A ring marking one pixel (e.g. the attention query).
public struct PixelMarker: Sendable, Equatable {
    /// Pixel coordinates in the first layer's grid.
    public var y: Int
    public var x: Int
    public init(y: Int, x: Int) { self.y = y; self.x = x }
}

public enum ImageCompositor {
    /// Composite `layers` (first at the bottom, over white) into one raster at
    /// the finest layer resolution. Every layer's width and height must divide
    /// the finest ones (a 16×16 map stretches over a 64×64 frame).
    public static func composite(_ layers: [ImageLayer]) throws -> RasterImage {
        guard !layers.isEmpty else { throw FigureError.empty("image panel layer list") }
        let w = layers.map(\.values.width).max()!, h = layers.map(\.values.height).max()!
        for l in layers where w % l.values.width != 0 || h % l.values.height != 0 {
            throw FigureError.sizeMismatch(what: "image layers (each must divide the largest, \(w)×\(h))",
                                           expected: "a divisor of \(w)×\(h)",
                                           got: "\(l.values.width)×\(l.values.height)")
        }
        var r = [Double](repeating: 1, count: w * h)
        var g = r, b = r
        for l in layers {
            let sx = w / l.values.width, sy = h / l.values.height
            let a = min(max(l.opacity, 0), 1)
            // Colour once per source value, then spread over the finer grid.
            for y in 0..<h {
                let row = (y / sy) * l.values.width
                for x in 0..<w {
                    let c = l.colorMap.color(of: Double(l.values.pixels[row + x / sx]), in: l.range)
                    let i = y * w + x
                    r[i] = c.red * a + r[i] * (1 - a)
                    g[i] = c.green * a + g[i] * (1 - a)
                    b[i] = c.blue * a + b[i] * (1 - a)
                }
            }
        }
        var bytes = [UInt8](repeating: 0, count: w * h * 3)
        for i in 0..<(w * h) {
            bytes[3 * i] = UInt8((r[i] * 255).rounded())
            bytes[3 * i + 1] = UInt8((g[i] * 255).rounded())
            bytes[3 * i + 2] = UInt8((b[i] * 255).rounded())
        }
        return RasterImage(width: w, height: h, rgb: bytes)
    }
}
