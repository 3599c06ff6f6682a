// TensorBoardEvents: a run record as a TensorBoard event file, written by
// Kymo itself — no Python, no protobuf library. The file is TFRecord framing
// (little-endian length, masked CRC-32C of the length, the bytes, masked
// CRC-32C of the bytes) around `Event` protobufs: the first says
// `brain.Event:2`; then every metric series as a scalar tag of the same name
// at its steps (`simple_value`), each PNG artifact as an image summary (SVG
// figures too, rasterized by the caller's `raster`: kymo's SVGRaster), and
// the run's configuration (notebook, seed, overrides, build) as a text
// summary (a string tensor with the `text` plugin's metadata).
// Field numbers: tensorflow/core/util/event.proto and framework/summary.proto.
// Deliberately not: PDF figures (their SVG or PNG twin carries the same drawing).

import Foundation
import KymoBase

public enum TensorBoardEvents {
    /// Protobuf encoding of the few message shapes needed.
    struct Proto {
        var bytes: [UInt8] = []

        mutating func varint(_ v: UInt64) {
            var v = v
            while v >= 0x80 { bytes.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
            bytes.append(UInt8(v))
        }
        mutating func key(_ field: Int, _ wire: Int) { varint(UInt64(field << 3 | wire)) }
        mutating func int(_ field: Int, _ v: Int64) { key(field, 0); varint(UInt64(bitPattern: v)) }
        mutating func double(_ field: Int, _ v: Double) {
            key(field, 1)
            withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 }
        }
        mutating func float(_ field: Int, _ v: Float) {
            key(field, 5)
            withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 }
        }
        mutating func data(_ field: Int, _ d: [UInt8]) { key(field, 2); varint(UInt64(d.count)); bytes += d }
        mutating func string(_ field: Int, _ s: String) { data(field, Array(s.utf8)) }
        mutating func message(_ field: Int, _ m: Proto) { data(field, m.bytes) }
    }

    /// One TFRecord.
    static func frame(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        withUnsafeBytes(of: UInt64(data.count).littleEndian) { out += $0 }
        let lengthCRC = CRC32.maskedCastagnoli(out)
        withUnsafeBytes(of: lengthCRC.littleEndian) { out += $0 }
        out += data
        withUnsafeBytes(of: CRC32.maskedCastagnoli(data).littleEndian) { out += $0 }
        return out
    }

    static func event(wallTime: Double, step: Int, _ fill: (inout Proto) -> Void) -> [UInt8] {
        var e = Proto()
        e.double(1, wallTime)
        e.int(2, Int64(step))
        fill(&e)
        return frame(e.bytes)
    }

    /// Summary { Value { tag, simple_value } } at `step`.
    static func scalar(_ tag: String, _ value: Float, step: Int, wallTime: Double) -> [UInt8] {
        event(wallTime: wallTime, step: step) { e in
            var v = Proto(); v.string(1, tag); v.float(2, value)
            var s = Proto(); s.message(1, v)
            e.message(5, s)
        }
    }

    /// Summary { Value { tag, image { height, width, colorspace, encoded_image_string } } }.
    static func image(_ tag: String, png: [UInt8], step: Int, wallTime: Double) -> [UInt8] {
        // Width and height from the IHDR chunk (bytes 16..<24, big-endian).
        func be32(_ i: Int) -> Int64 { png.count >= i + 4 ? Int64(png[i]) << 24 | Int64(png[i + 1]) << 16 | Int64(png[i + 2]) << 8 | Int64(png[i + 3]) : 0 }
        return event(wallTime: wallTime, step: step) { e in
            var img = Proto(); img.int(1, be32(20)); img.int(2, be32(16)); img.int(3, 3); img.data(4, png)
            var v = Proto(); v.string(1, tag); v.message(4, img)
            var s = Proto(); s.message(1, v)
            e.message(5, s)
        }
    }

    /// A text summary: Value { tag, metadata { plugin_data { plugin_name: "text" } }, tensor { DT_STRING, shape [], string_val } }.
    static func text(_ tag: String, _ markdown: String, step: Int, wallTime: Double) -> [UInt8] {
        event(wallTime: wallTime, step: step) { e in
            var plugin = Proto(); plugin.string(1, "text")
            var meta = Proto(); meta.message(1, plugin)
            var tensor = Proto(); tensor.int(1, 7); tensor.message(2, Proto()); tensor.string(8, markdown)
            var v = Proto(); v.string(1, tag); v.message(9, meta); v.message(8, tensor)
            var s = Proto(); s.message(1, v)
            e.message(5, s)
        }
    }

    /// The run's configuration as a markdown table (the text summary `configuration`).
    public static func configuration(_ r: RunRecord) -> String {
        var rows = [("run", r.id), ("notebook", r.notebook.path), ("seed", String(r.seed)), ("status", r.status.rawValue),
                    ("kymo", "\(r.kymo.version) (\(r.kymo.commit))")]
        rows += r.overrides.map { ("--set \($0.key)", $0.value) }
        return "| setting | value |\n|---|---|\n" + rows.map { "| \($0.0) | \($0.1) |" }.joined(separator: "\n")
    }

    /// The event file's bytes for a record; `folder`: the run folder (for the
    /// artifact copies); `raster`: an SVG's PNG (nil: SVG figures are left out).
    public static func file(for r: RunRecord, folder: String, raster: (([UInt8]) -> [UInt8]?)? = nil) -> [UInt8] {
        let wall = RecordTime.parse(r.startedAt)?.timeIntervalSince1970 ?? 0
        var out = event(wallTime: wall, step: 0) { e in e.string(3, "brain.Event:2") }
        out += text("configuration", configuration(r), step: 0, wallTime: wall)
        for m in r.metrics {
            for (i, v) in m.values.doubles.enumerated() {
                out += scalar(m.name, Float(v), step: i < m.steps.count ? m.steps[i] : i, wallTime: wall)
            }
        }
        for a in r.artifacts {
            let name = a.path.lowercased()
            guard name.hasSuffix(".png") || (name.hasSuffix(".svg") && raster != nil),
                  let copy = a.copy, let data = FileManager.default.contents(atPath: folder + "/" + copy) else { continue }
            guard let png = name.hasSuffix(".svg") ? raster?(Array(data)) : Array(data) else { continue }
            out += image(a.path, png: png, step: 0, wallTime: wall)
        }
        return out
    }
}
