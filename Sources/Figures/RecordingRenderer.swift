// RecordingRenderer: a Renderer that draws nothing and logs every call, both
// as structured values (for assertions) and as text lines (for reading and
// for golden comparisons). Text is measured with DejaVu Sans advance widths
// (DejaVuMetrics.swift), so layouts match the Cairo output closely.

public final class RecordingRenderer: Renderer {
    /// One logged draw call.
    public enum Call: Equatable {
        case fill(Path, Color)
        case stroke(Path, StrokeStyle)
        case text(String, at: Point, font: Font, color: Color, anchor: TextAnchor, rotation: TextRotation, box: Rect)
        case image(RasterImage, in: Rect)
    }

    public private(set) var calls: [Call] = []

    public init() {}

    public func measure(_ text: String, font: Font) -> TextMetrics {
        TextMetrics(width: DejaVuMetrics.width(of: text, size: font.size, bold: font.bold),
                    ascent: TextMetrics.ascent(for: font),
                    descent: TextMetrics.descent(for: font))
    }

    public func fill(_ path: Path, color: Color) { calls.append(.fill(path, color)) }
    public func stroke(_ path: Path, style: StrokeStyle) { calls.append(.stroke(path, style)) }

    public func drawText(_ text: String, at point: Point, font: Font, color: Color,
                         anchor: TextAnchor, rotation: TextRotation) {
        let box = textBox(text, at: point, font: font, anchor: anchor, rotation: rotation)
        calls.append(.text(text, at: point, font: font, color: color, anchor: anchor, rotation: rotation, box: box))
    }

    public func drawImage(_ image: RasterImage, in rect: Rect) { calls.append(.image(image, in: rect)) }

    /// Every text run drawn, with its box.
    public var texts: [(text: String, box: Rect, font: Font, rotation: TextRotation)] {
        calls.compactMap {
            if case let .text(s, _, font, _, _, rot, box) = $0 { return (s, box, font, rot) }
            return nil
        }
    }

    /// Every image drawn, with its rectangle.
    public var images: [(image: RasterImage, rect: Rect)] {
        calls.compactMap { if case let .image(img, r) = $0 { return (img, r) }; return nil }
    }

    /// The log as text, one call a line, coordinates to 0.01 pt.
    public var log: String { calls.map(Self.describe).joined(separator: "\n") }

    static func f(_ v: Double) -> String { FixedPoint.format(v, decimals: 2) }
    static func p(_ q: Point) -> String { "\(f(q.x)),\(f(q.y))" }
    static func r(_ q: Rect) -> String { "\(f(q.x)),\(f(q.y)) \(f(q.width))x\(f(q.height))" }

    static func describe(_ path: Path) -> String {
        path.elements.map { e -> String in
            switch e {
            case .move(let q): return "M\(p(q))"
            case .line(let q): return "L\(p(q))"
            case .close: return "Z"
            case .rect(let q): return "R\(r(q))"
            case .circle(let c, let rad): return "C\(p(c)) r\(f(rad))"
            }
        }.joined(separator: " ")
    }

    static func describe(_ call: Call) -> String {
        switch call {
        case let .fill(path, color):
            return "fill \(color.hexString) \(describe(path))"
        case let .stroke(path, style):
            let dash = style.dash.isEmpty ? "" : " dash \(style.dash.map(f).joined(separator: ","))"
            return "stroke \(style.color.hexString) w\(f(style.width))\(dash) \(describe(path))"
        case let .text(s, at, font, color, anchor, rotation, _):
            return "text \"\(s)\" at \(p(at)) size \(f(font.size))\(font.bold ? " bold" : "") "
                + "\(color.hexString) \(anchor.horizontal.rawValue)/\(anchor.vertical.rawValue)"
                + (rotation == .up ? " up" : "")
        case let .image(img, rect):
            // A cheap content digest so the log changes when pixels change.
            var h: UInt64 = 1469598103934665603
            for b in img.rgb { h = (h ^ UInt64(b)) &* 1099511628211 }
            return "image \(img.width)x\(img.height) in \(r(rect)) fnv \(String(h, radix: 16))"
        }
    }
}
