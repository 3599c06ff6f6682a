// Renderer: the small drawing interface a figure draws into. Cairo sits behind
// it in FiguresCairo; RecordingRenderer logs the calls as text for tests.
// Coordinates are points, origin top-left, y down. Deliberately tiny: no
// clipping, no transforms, no gradients — the figure model clips its own
// lines and composites its own overlays, so every backend draws the same.

/// A font request. Every backend uses DejaVu Sans (regular or bold).
public struct Font: Equatable, Sendable {
    public var size: Double
    public var bold: Bool
    public init(size: Double, bold: Bool = false) { self.size = size; self.bold = bold }
}

/// Horizontal and vertical alignment of a text run relative to its anchor
/// point, in the text's own (possibly rotated) frame.
public struct TextAnchor: Equatable, Sendable {
    public enum Horizontal: String, Sendable { case start, center, end }
    public enum Vertical: String, Sendable { case top, middle, baseline, bottom }
    public var horizontal: Horizontal
    public var vertical: Vertical
    public init(_ horizontal: Horizontal, _ vertical: Vertical) {
        self.horizontal = horizontal; self.vertical = vertical
    }
}

/// Text direction: along x, or turned a quarter turn counter-clockwise
/// (reading bottom to top, as y-axis labels do).
public enum TextRotation: String, Sendable { case horizontal, up }

/// The size of a text run. `ascent` and `descent` are per-font constants
/// (a layout convention: 0.76 and 0.24 of the size, DejaVu's cap height plus
/// a little), so labels in a row align whatever their letters.
public struct TextMetrics: Equatable, Sendable {
    public var width: Double
    public var ascent: Double
    public var descent: Double
    public init(width: Double, ascent: Double, descent: Double) {
        self.width = width; self.ascent = ascent; self.descent = descent
    }
    public var height: Double { ascent + descent }

    public static func ascent(for font: Font) -> Double { 0.76 * font.size }
    public static func descent(for font: Font) -> Double { 0.24 * font.size }
}

/// Line appearance.
public struct StrokeStyle: Equatable, Sendable {
    public var color: Color
    public var width: Double
    /// On/off lengths in points; empty for a solid line.
    public var dash: [Double]
    public init(color: Color, width: Double, dash: [Double] = []) {
        self.color = color; self.width = width; self.dash = dash
    }
}

/// A vector path: polylines, rectangles and circles.
public struct Path: Equatable, Sendable {
    public enum Element: Equatable, Sendable {
        case move(Point)
        case line(Point)
        case close
        case rect(Rect)
        case circle(center: Point, radius: Double)
    }
    public private(set) var elements: [Element] = []
    public init() {}

    public mutating func move(to p: Point) { elements.append(.move(p)) }
    public mutating func line(to p: Point) { elements.append(.line(p)) }
    public mutating func close() { elements.append(.close) }
    public mutating func addRect(_ r: Rect) { elements.append(.rect(r)) }
    public mutating func addCircle(center: Point, radius: Double) {
        elements.append(.circle(center: center, radius: radius))
    }

    public static func rect(_ r: Rect) -> Path { var p = Path(); p.addRect(r); return p }
    public static func segment(_ a: Point, _ b: Point) -> Path {
        var p = Path(); p.move(to: a); p.line(to: b); return p
    }
    public static func polyline(_ points: [Point]) -> Path {
        var p = Path()
        for (i, q) in points.enumerated() { if i == 0 { p.move(to: q) } else { p.line(to: q) } }
        return p
    }
    public static func polygon(_ points: [Point]) -> Path {
        var p = polyline(points); p.close(); return p
    }
    public static func circle(center: Point, radius: Double) -> Path {
        var p = Path(); p.addCircle(center: center, radius: radius); return p
    }
}

/// An opaque 8-bit sRGB raster, row-major from the top-left, 3 bytes a pixel.
/// Backends draw it crisp: every pixel a sharp-edged cell.
public struct RasterImage: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public let rgb: [UInt8]

    public init(width: Int, height: Int, rgb: [UInt8]) {
        precondition(width > 0 && height > 0 && rgb.count == width * height * 3,
                     "RasterImage: \(rgb.count) bytes for \(width)×\(height)")
        self.width = width; self.height = height; self.rgb = rgb
    }

    /// The colour of pixel (y, x).
    public func pixel(_ y: Int, _ x: Int) -> (UInt8, UInt8, UInt8) {
        let i = 3 * (y * width + x)
        return (rgb[i], rgb[i + 1], rgb[i + 2])
    }
}

/// Where drawing goes. Implementations: `RecordingRenderer` (this module) and
/// `CairoRenderer` (FiguresCairo).
public protocol Renderer: AnyObject {
    /// The advance width of `text` in `font`, and the font's ascent/descent.
    func measure(_ text: String, font: Font) -> TextMetrics
    func fill(_ path: Path, color: Color)
    func stroke(_ path: Path, style: StrokeStyle)
    func drawText(_ text: String, at point: Point, font: Font, color: Color,
                  anchor: TextAnchor, rotation: TextRotation)
    /// Draw `image` stretched over `rect`, each pixel a crisp cell.
    func drawImage(_ image: RasterImage, in rect: Rect)
}

extension Renderer {
    /// The box `text` occupies when drawn at `point` with `anchor` and `rotation`.
    public func textBox(_ text: String, at point: Point, font: Font,
                        anchor: TextAnchor, rotation: TextRotation = .horizontal) -> Rect {
        TextGeometry.box(metrics: measure(text, font: font), at: point, anchor: anchor, rotation: rotation)
    }
}

/// Text placement arithmetic shared by every backend and the layout.
public enum TextGeometry {
    /// Offset from the anchor point to the start of the baseline, in the
    /// text's own frame (x along the text, y down across it).
    public static func baselineOffset(metrics m: TextMetrics, anchor: TextAnchor) -> (dx: Double, dy: Double) {
        let dx: Double
        switch anchor.horizontal {
        case .start: dx = 0
        case .center: dx = -m.width / 2
        case .end: dx = -m.width
        }
        let dy: Double
        switch anchor.vertical {
        case .top: dy = m.ascent
        case .middle: dy = (m.ascent - m.descent) / 2
        case .baseline: dy = 0
        case .bottom: dy = -m.descent
        }
        return (dx, dy)
    }

    /// The figure-space box of a text run.
    public static func box(metrics m: TextMetrics, at p: Point, anchor: TextAnchor,
                           rotation: TextRotation) -> Rect {
        let (dx, dy) = baselineOffset(metrics: m, anchor: anchor)
        // In the text frame the run spans x in [dx, dx+w], y in [dy-ascent, dy+descent].
        switch rotation {
        case .horizontal:
            return Rect(x: p.x + dx, y: p.y + dy - m.ascent, width: m.width, height: m.height)
        case .up:
            // Text frame x maps to figure −y, text frame y maps to figure +x.
            return Rect(x: p.x + dy - m.ascent, y: p.y - dx - m.width, width: m.height, height: m.width)
        }
    }
}
