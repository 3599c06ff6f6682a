// PDFPageGroup: Cairo 1.16 gives every PDF page a transparency group
// (/Group << /S /Transparency … >>) even when nothing on it is translucent,
// and pdflatex warns when two such PDFs share a page. For a figure drawn in
// an opaque style the group is blanked out with spaces of the same length,
// so every byte offset (and the xref table) stays valid.

enum PDFPageGroup {
    /// `pdf` with its page group dictionaries replaced by spaces.
    static func blanked(_ pdf: [UInt8]) -> [UInt8] {
        let key = Array("/Group <<".utf8)
        var out = pdf
        var i = 0
        while i + key.count <= out.count {
            guard out[i..<(i + key.count)].elementsEqual(key) else { i += 1; continue }
            // the dictionary ends at the matching ">>" (it holds no nested dictionary)
            var j = i + key.count
            while j + 1 < out.count, !(out[j] == UInt8(ascii: ">") && out[j + 1] == UInt8(ascii: ">")) { j += 1 }
            guard j + 1 < out.count else { break }
            let body = out[i..<(j + 2)]
            guard String(decoding: body, as: UTF8.self).contains("/S /Transparency") else { i = j + 2; continue }
            for k in i..<(j + 2) { out[k] = UInt8(ascii: " ") }
            i = j + 2
        }
        return out
    }
}
