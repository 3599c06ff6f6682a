// SVGTitle: the figure's title as the SVG's <title> (what a browser tab or an
// asset manager shows), written just after the opening <svg …> tag, where SVG
// wants it. Cairo's SVG surface writes none. Byte-level and deterministic.

enum SVGTitle {
    /// `svg` with `<title>title</title>` after its root element's start tag.
    static func inserted(_ title: String, into svg: [UInt8]) -> [UInt8] {
        let open = Array("<svg".utf8)
        guard svg.count > open.count,
              let start = (0...(svg.count - open.count)).first(where: { svg[$0..<($0 + open.count)].elementsEqual(open) }),
              let end = svg[start...].firstIndex(of: UInt8(ascii: ">")) else { return svg }
        let element = Array("\n<title>\(SVGText.escaped(title))</title>".utf8)
        return Array(svg[...end]) + element + Array(svg[(end + 1)...])
    }
}
