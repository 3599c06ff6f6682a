// DejaVuMetrics: advance widths of DejaVu Sans (Book and Bold) for printable
// ASCII, in thousandths of an em, as Cairo reports them with metric hinting
// off. Used by RecordingRenderer so test layouts match real output; other
// characters fall back to an average width. Data and a lookup, nothing more.

enum DejaVuMetrics {
    /// Code points 32...126.
    static let book: [Int] = [
        318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337,
        636, 636, 636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531,
        1000, 684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787,
        603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838, 500,
        500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612,
        635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
    ]
    static let bold: [Int] = [
        348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365,
        696, 696, 696, 696, 696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 580,
        1000, 774, 762, 734, 830, 683, 683, 821, 837, 372, 372, 775, 637, 995, 837, 850,
        733, 850, 770, 720, 682, 812, 774, 1103, 771, 724, 725, 457, 365, 457, 838, 500,
        500, 675, 716, 593, 716, 678, 435, 716, 712, 343, 343, 665, 343, 1042, 712, 687,
        716, 716, 493, 595, 478, 712, 652, 924, 645, 652, 582, 712, 365, 712, 838,
    ]
    /// A few non-ASCII characters the figures use: (book, bold).
    static let extra: [Character: (Int, Int)] = [
        "−": (838, 838), "×": (838, 838), "⁻": (528, 528), "⁰": (401, 438), "¹": (401, 438),
        "²": (401, 438), "³": (401, 438), "⁴": (401, 438), "⁵": (401, 438), "⁶": (401, 438),
        "⁷": (401, 438), "⁸": (401, 438), "⁹": (401, 438), "μ": (636, 736), "σ": (634, 779),
        "–": (500, 500), "—": (1000, 1000), "↓": (838, 838), "↑": (838, 838), "°": (500, 500),
        "·": (318, 380),
    ]

    static func width(of text: String, size: Double, bold isBold: Bool) -> Double {
        let table = isBold ? bold : book
        var total = 0
        for ch in text {
            if let a = ch.asciiValue, a >= 32, a <= 126 {
                total += table[Int(a) - 32]
            } else if let w = extra[ch] {
                total += isBold ? w.1 : w.0
            } else {
                total += isBold ? 700 : 640
            }
        }
        return Double(total) / 1000 * size
    }
}
