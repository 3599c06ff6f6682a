// FigureData: what a figure draws, as CSV rows a co-author can re-plot —
// every line (smoothed lines as drawn, group means), every scatter point,
// every band's low and high edge, and every image layer's values. Values are
// written in Swift's shortest round-trip form, so they read back bit for bit.

extension Figure {
    /// The header of `csv()`.
    public static let csvHeader = "panel,panel_title,kind,series,index,x,y,value"

    /// One row per drawn value. `kind`: line, points, band_low, band_high
    /// (x, y set), or image (x, y the pixel's column and row, value its value;
    /// `series` the layer: 0 the frame, 1 an overlay).
    public func csv() -> String {
        var rows = [Self.csvHeader]
        func q(_ s: String?) -> String {
            guard let s else { return "" }
            guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return s }
            return "\"" + s.map { $0 == "\"" ? "\"\"" : String($0) }.joined() + "\""
        }
        func num(_ v: Double) -> String { v.isFinite ? "\(v)" : (v.isNaN ? "nan" : (v > 0 ? "inf" : "-inf")) }
        for (p, panel) in panels.enumerated() {
            let head = "\(p),\(q(panel.title))"
            for (k, l) in panel.lines.enumerated() {
                let name = q(l.label ?? "line \(k)")
                for (i, (x, y)) in zip(l.x, l.y).enumerated() { rows.append("\(head),line,\(name),\(i),\(num(x)),\(num(y)),") }
            }
            for (k, s) in panel.scatters.enumerated() {
                let name = q(s.label ?? "points \(k)")
                for (i, (x, y)) in zip(s.x, s.y).enumerated() { rows.append("\(head),points,\(name),\(i),\(num(x)),\(num(y)),") }
            }
            for (k, b) in panel.bands.enumerated() {
                for (i, x) in b.x.enumerated() {
                    rows.append("\(head),band_low,band \(k),\(i),\(num(x)),\(num(b.low[i])),")
                    rows.append("\(head),band_high,band \(k),\(i),\(num(x)),\(num(b.high[i])),")
                }
            }
            for (k, layer) in panel.imageLayers.enumerated() {
                let v = layer.values
                for y in 0..<v.height {
                    for x in 0..<v.width { rows.append("\(head),image,\(k),\(y * v.width + x),\(x),\(y),\(num(Double(v[y, x])))") }
                }
            }
        }
        return rows.joined(separator: "\n") + "\n"
    }
}
