// FigureStyle: the typographic and spacing constants every figure uses, in
// one place, sized for a figure printed at its natural size (one column of a
// paper is about 250 pt wide; a full page width about 500 pt).

public struct FigureStyle: Sendable {
    public var titleFont = Font(size: 11.5, bold: true)
    public var panelTitleFont = Font(size: 9.5)
    public var axisLabelFont = Font(size: 9)
    public var tickFont = Font(size: 8)
    public var legendFont = Font(size: 8)
    public var captionFont = Font(size: 8)
    public var rowLabelFont = Font(size: 9)

    /// Empty border around the whole figure.
    public var outerPadding = 8.0
    public var tickLength = 3.5
    public var minorTickLength = 2.0
    /// Between a tick and its label, and between labels and axis titles.
    public var labelGap = 2.5
    public var axisTitleGap = 4.0
    /// Between neighbouring plotting panels (beyond their own decorations).
    public var panelGap = 12.0
    /// Between neighbouring image panels.
    public var imageGap = 4.0

    public var axisLineWidth = 0.8
    public var gridLineWidth = 0.5

    /// Flat colours only (each translucent one blended with white), so a PDF
    /// needs no transparency group (FlatColorRenderer.swift).
    public var opaque = false

    public var colorBarWidth = 9.0
    public var colorBarGap = 10.0

    public init() {}

    public static let standard = FigureStyle()

    /// Every font scaled so the tick labels are `size` points (the others
    /// keep their proportion to them), spacing scaled alike.
    public func withTickFont(_ size: Double) -> FigureStyle {
        var s = self
        let k = size / tickFont.size
        for path in [\FigureStyle.titleFont, \.panelTitleFont, \.axisLabelFont, \.tickFont, \.legendFont, \.captionFont, \.rowLabelFont] {
            s[keyPath: path].size = self[keyPath: path].size * k
        }
        s.tickLength *= k; s.labelGap *= k; s.axisTitleGap *= k
        return s
    }

    /// Sized for one column of a two-column journal (3.3 in) at its natural
    /// size: 7 pt ticks, legend and captions, 7.9 pt labels, 10 pt title.
    public static let paper: FigureStyle = {
        var s = FigureStyle.standard.withTickFont(7)
        s.opaque = true
        return s
    }()
    /// For slides: 14 pt ticks.
    public static let slides = FigureStyle.standard.withTickFont(14)

    /// A named style: "standard", "paper" or "slides".
    public static func named(_ name: String) -> FigureStyle? {
        switch name {
        case "standard": return .standard
        case "paper": return .paper
        case "slides": return .slides
        default: return nil
        }
    }
}
