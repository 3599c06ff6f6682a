// PNGText: a PNG's Title and Software as text chunks after its header — tEXt
// when the text is Latin-1 (as tEXt requires), iTXt (UTF-8) when it is not
// (a title with "×" or "—"). Cairo writes none. Byte-level and deterministic.

enum PNGText {
    /// `png` with one text chunk per (keyword, text) inserted after IHDR (which ends at byte 33).
    static func tagged(_ png: [UInt8], _ entries: [(String, String)]) -> [UInt8] {
        guard png.count > 33 else { return png }
        var chunks: [UInt8] = []
        for (key, text) in entries {
            let latin1 = text.unicodeScalars.allSatisfy { $0.value < 256 && $0.value != 0 }
            let body: [UInt8] = latin1
                ? Array("tEXt".utf8) + Array(key.utf8) + [0] + text.unicodeScalars.map { UInt8($0.value) }
                : Array("iTXt".utf8) + Array(key.utf8) + [0, 0, 0, 0, 0] + Array(text.utf8)   // uncompressed, no language
            chunks += be(UInt32(body.count - 4)) + body + be(PNGResolution.crc32(body))
        }
        return Array(png[..<33]) + chunks + Array(png[33...])
    }

    static func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 255), UInt8((v >> 8) & 255), UInt8(v & 255)] }

    /// The text chunks of a PNG, keyword → text (tEXt as Latin-1, iTXt as UTF-8).
    static func texts(of png: [UInt8]) -> [String: String] {
        var out: [String: String] = [:]
        var i = 8
        while i + 8 <= png.count {
            let n = Int(png[i]) << 24 | Int(png[i + 1]) << 16 | Int(png[i + 2]) << 8 | Int(png[i + 3])
            let type = String(decoding: png[(i + 4)..<(i + 8)], as: UTF8.self)
            guard i + 8 + n <= png.count else { break }
            let data = Array(png[(i + 8)..<(i + 8 + n)])
            if let z = data.firstIndex(of: 0) {
                let key = String(decoding: data[..<z], as: UTF8.self)
                if type == "tEXt" {
                    out[key] = String(data[(z + 1)...].map { Character(Unicode.Scalar($0)) })
                } else if type == "iTXt", z + 5 <= data.count {
                    // flag, method, then language and translated keyword, each ending in 0
                    var k = z + 3
                    for _ in 0..<2 { while k < data.count && data[k] != 0 { k += 1 }; k += 1 }
                    if k <= data.count { out[key] = String(decoding: data[k...], as: UTF8.self) }
                }
            }
            i += 12 + n
        }
        return out
    }
}
