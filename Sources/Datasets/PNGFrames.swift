// PNGFrames: a folder of PNG frames as one series [T, C, H, W]: the `.png`
// files in file-name order (byte order of the names, so "frame_010.png"
// after "frame_009.png"), each decoded by Cairo when its frames are read.
// Grey PNGs (colour types 0 and 4) give one channel, RGB and palette PNGs (2,
// 3, 6) three; values are the 8-bit levels as they are (0–255, no scaling).
// Every frame must have the first one's size and kind; 16-bit PNGs and
// transparent pixels are refused (Cairo keeps 8 bits, premultiplied).
import CCairo
import Foundation
import TensorEngine

public final class PNGFrames: ArrayReader, @unchecked Sendable {
    public let name: String
    public let files: [String]
    public let shape: [Int]
    public var dtypeName: String { "uint8" }

    public convenience init(folder: String) throws {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder) } catch {
            throw TensorError.badFile(path: folder, detail: "cannot list the folder")
        }
        let pngs = names.filter { $0.lowercased().hasSuffix(".png") }.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        guard !pngs.isEmpty else { throw TensorError.badFile(path: folder, detail: "holds no .png frames") }
        try self.init(name: folder, files: pngs.map { (folder as NSString).appendingPathComponent($0) })
    }

    /// The frames `files`, in that order (a replay gives the recorded frames
    /// wherever it found them); `name` is the folder in messages.
    public init(name: String, files: [String]) throws {
        self.name = name
        guard !files.isEmpty else { throw TensorError.badFile(path: name, detail: "holds no .png frames") }
        self.files = files
        var first: (w: Int, h: Int, c: Int)? = nil
        for f in files {
            let info = try PNGFrames.header(f)
            if let first, first != info {
                throw TensorError.badFile(path: f, detail: "is \(info.w)×\(info.h) with \(info.c) channel(s); the first frame \(files[0]) is \(first.w)×\(first.h) with \(first.c)")
            }
            first = first ?? info
        }
        shape = [files.count, first!.c, first!.h, first!.w]
    }

    /// Width, height and channels from the IHDR chunk.
    static func header(_ path: String) throws -> (w: Int, h: Int, c: Int) {
        guard let fh = FileHandle(forReadingAtPath: path) else { throw TensorError.badFile(path: path, detail: "cannot be opened for reading") }
        defer { try? fh.close() }
        let b = [UInt8]((try? fh.read(upToCount: 33)) ?? Data())
        guard b.count == 33, b[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], b[12..<16] == [0x49, 0x48, 0x44, 0x52] else {
            throw TensorError.badFile(path: path, detail: "is not a PNG file (no PNG signature and header)")
        }
        func be(_ o: Int) -> Int { Int(b[o]) << 24 | Int(b[o + 1]) << 16 | Int(b[o + 2]) << 8 | Int(b[o + 3]) }
        let depth = b[24], colour = b[25]
        guard depth <= 8 else { throw TensorError.badFile(path: path, detail: "is a \(depth)-bit PNG; frames must be 8-bit (or fewer)") }
        switch colour {
        case 0, 4: return (be(16), be(20), 1)
        case 2, 3, 6: return (be(16), be(20), 3)
        default: throw TensorError.badFile(path: path, detail: "has PNG colour type \(colour), which is not a PNG colour type")
        }
    }

    public func readBlock(start: [Int], count: [Int], into dst: UnsafeMutablePointer<Float>) throws {
        let c = shape[1], h = shape[2], w = shape[3]
        precondition(start[1] == 0 && count[1] == c && start[2] == 0 && count[2] == h && start[3] == 0 && count[3] == w,
                     "PNGFrames reads whole frames")
        for k in 0..<count[0] {
            let path = files[start[0] + k]
            guard let surface = cairo_image_surface_create_from_png(path) else { throw TensorError.badFile(path: path, detail: "Cairo could not read it") }
            defer { cairo_surface_destroy(surface) }
            guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
                throw TensorError.badFile(path: path, detail: "Cairo could not decode it: \(String(cString: cairo_status_to_string(cairo_surface_status(surface))))")
            }
            cairo_surface_flush(surface)
            let format = cairo_image_surface_get_format(surface)
            guard Int(cairo_image_surface_get_width(surface)) == w, Int(cairo_image_surface_get_height(surface)) == h,
                  format == CAIRO_FORMAT_ARGB32 || format == CAIRO_FORMAT_RGB24, let data = cairo_image_surface_get_data(surface) else {
                throw TensorError.badFile(path: path, detail: "decoded to an unexpected image (not \(w)×\(h) colour)")
            }
            let stride = Int(cairo_image_surface_get_stride(surface))
            let out = dst + k * c * h * w
            for y in 0..<h {
                let row = UnsafeRawPointer(data + y * stride)
                for x in 0..<w {
                    let px = row.loadUnaligned(fromByteOffset: 4 * x, as: UInt32.self)   // native-endian 0xAARRGGBB
                    if format == CAIRO_FORMAT_ARGB32 && px >> 24 != 0xFF {
                        throw TensorError.badFile(path: path, detail: "has a transparent pixel at (\(y), \(x)); frames must be opaque")
                    }
                    let r = Float((px >> 16) & 0xFF), g = Float((px >> 8) & 0xFF), b = Float(px & 0xFF)
                    if c == 1 {
                        out[y * w + x] = r
                    } else {
                        out[y * w + x] = r; out[h * w + y * w + x] = g; out[2 * h * w + y * w + x] = b
                    }
                }
            }
        }
    }
}
