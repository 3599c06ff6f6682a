// FloatImage: a row-major grid of Float values with its width and height —
// how frames, attention maps and error maps enter the figure model. Checked
// on construction; never a tensor.

public struct FloatImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Row-major from the top-left: pixel (y, x) is `pixels[y * width + x]`.
    public let pixels: [Float]

    /// Throws when `pixels.count != width * height` or a side is not positive.
    public init(width: Int, height: Int, pixels: [Float]) throws {
        guard width > 0, height > 0 else {
            throw FigureError.invalidArgument("an image needs a positive width and height, got \(width)×\(height)")
        }
        guard pixels.count == width * height else {
            throw FigureError.pixelCountMismatch(width: width, height: height, count: pixels.count)
        }
        self.width = width; self.height = height; self.pixels = pixels
    }

    public subscript(y: Int, x: Int) -> Float { pixels[y * width + x] }

    /// Smallest and largest finite value, or nil when there is none.
    public var finiteRange: ClosedRange<Double>? {
        var lo = Float.infinity, hi = -Float.infinity
        for v in pixels where v.isFinite { lo = min(lo, v); hi = max(hi, v) }
        return lo <= hi ? Double(lo)...Double(hi) : nil
    }

    /// |a − b| pixel by pixel; the sizes must match.
    public static func absoluteDifference(_ a: FloatImage, _ b: FloatImage) throws -> FloatImage {
        guard a.width == b.width, a.height == b.height else {
            throw FigureError.sizeMismatch(what: "absolute error", expected: "\(a.width)×\(a.height)",
                                           got: "\(b.width)×\(b.height)")
        }
        return try FloatImage(width: a.width, height: a.height,
                              pixels: zip(a.pixels, b.pixels).map { abs($0 - $1) })
    }
}
