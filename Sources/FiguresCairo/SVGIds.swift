// SVGIds: Cairo names some SVG elements after process-wide counters
// (`<g id="surface9">`, `<image id="image13">`), so the same figure rendered
// twice in one process differs in those ids. This renumbers them in order of
// first appearance, making SVG output depend on the figure alone.

enum SVGIds {
    static let prefixes: [[UInt8]] = [Array("surface".utf8), Array("image".utf8)]

    static func normalize(_ svg: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(svg.count)
        var maps = [[String: Int]](repeating: [:], count: prefixes.count)
        var i = 0
        let quote = UInt8(ascii: "\""), hash = UInt8(ascii: "#")
        while i < svg.count {
            let c = svg[i]
            out.append(c)
            i += 1
            // An id reference starts after `"` (id="…") or `#` (href="#…", url(#…)).
            guard c == quote || c == hash else { continue }
            for (k, prefix) in prefixes.enumerated() {
                guard i + prefix.count < svg.count, Array(svg[i..<(i + prefix.count)]) == prefix else { continue }
                var j = i + prefix.count
                while j < svg.count, svg[j] >= 48, svg[j] <= 57 { j += 1 }
                guard j > i + prefix.count else { continue }
                let number = String(decoding: svg[(i + prefix.count)..<j], as: UTF8.self)
                let canonical: Int
                if let known = maps[k][number] {
                    canonical = known
                } else {
                    canonical = maps[k].count + 1
                    maps[k][number] = canonical
                }
                out += prefix
                out += Array(String(canonical).utf8)
                i = j
                break
            }
        }
        return out
    }
}
