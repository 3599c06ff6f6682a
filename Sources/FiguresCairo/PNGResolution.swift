// PNGResolution: writes a PNG's resolution (a pHYs chunk, pixels per metre)
// after its header, so a PNG saved at 300 dpi says so to LaTeX and viewers.
// Cairo writes none. Byte-level and deterministic.

enum PNGResolution {
    /// `png` with a pHYs chunk for `dpi` inserted after IHDR (which ends at byte 33).
    static func tagged(_ png: [UInt8], dpi: Double) -> [UInt8] {
        guard png.count > 33 else { return png }
        let ppm = UInt32((dpi / 0.0254).rounded())
        func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 255), UInt8((v >> 8) & 255), UInt8(v & 255)] }
        let body = Array("pHYs".utf8) + be(ppm) + be(ppm) + [1]   // unit 1: metre
        let chunk = be(9) + body + be(crc32(body))
        return Array(png[..<33]) + chunk + Array(png[33...])
    }

    /// The PNG (ISO 3309) CRC-32 of `bytes`.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        return c ^ 0xFFFF_FFFF
    }

    /// The dpi a PNG's pHYs chunk states, if it has one in metres.
    static func dpi(of png: [UInt8]) -> Double? {
        var i = 8
        while i + 8 <= png.count {
            let n = Int(png[i]) << 24 | Int(png[i + 1]) << 16 | Int(png[i + 2]) << 8 | Int(png[i + 3])
            let type = String(decoding: png[(i + 4)..<(i + 8)], as: UTF8.self)
            if type == "pHYs", i + 17 <= png.count, png[i + 16] == 1 {
                let ppm = UInt32(png[i + 8]) << 24 | UInt32(png[i + 9]) << 16 | UInt32(png[i + 10]) << 8 | UInt32(png[i + 11])
                return Double(ppm) * 0.0254
            }
            i += 12 + n
        }
        return nil
    }
}
