// Gzip: whole-buffer inflate and deflate through zlib, for `.gz` data files.
// Inflate accepts gzip or zlib framing (and concatenated gzip members, as
// `gzip -d` does); deflate writes gzip framing with a zero mtime, so equal
// input gives equal bytes. Inflating stops at `maxOutput` bytes (default
// `Gzip.defaultMaxOutput`, 1 GiB: more than any data file Kymo reads
// decompresses to; a memory budget can pass a smaller one), so a small
// "gzip bomb" is refused instead of allocating gigabytes.
// Deliberately not: streaming, or partial output from a corrupt file (a
// damaged file is refused, naming it).
import CZlib
import TensorEngine

public enum Gzip {
    /// True when `bytes` starts with the gzip magic number 1f 8b.
    public static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// The most bytes `inflate` produces unless told otherwise (1 GiB).
    public static let defaultMaxOutput = 1 << 30

    /// Decompresses a whole gzip (or zlib) buffer, refusing output beyond
    /// `maxOutput` bytes. `path` only names the file in errors.
    public static func inflate(_ input: [UInt8], path: String, maxOutput: Int = Gzip.defaultMaxOutput) throws -> [UInt8] {
        if input.isEmpty { throw TensorError.badFile(path: path, detail: "empty compressed file") }
        // The gzip trailer's ISIZE is the uncompressed size mod 2^32: a good first
        // guess for an intact file, garbage for a truncated one, so it is capped.
        var capacity = input.count * 4
        if isGzip(input), input.count >= 18 {
            let n = input.count
            let isize = Int(input[n - 4]) | Int(input[n - 3]) << 8 | Int(input[n - 2]) << 16 | Int(input[n - 1]) << 24
            capacity = max(capacity, min(isize + 1, input.count * 32))
        }
        var output = [UInt8](repeating: 0, count: min(max(capacity, 1024), max(maxOutput, 1)))
        var produced = 0
        var stream = z_stream()
        var status = inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            throw TensorError.badFile(path: path, detail: "zlib could not start inflating (code \(status))")
        }
        defer { inflateEnd(&stream) }

        try input.withUnsafeBufferPointer { src in
            var consumed = 0
            while true {
                stream.next_in = UnsafeMutablePointer(mutating: src.baseAddress! + consumed)
                stream.avail_in = UInt32(min(src.count - consumed, Int(UInt32.max)))
                let availBefore = Int(stream.avail_in)
                if produced == output.count {
                    guard output.count < maxOutput else {
                        throw TensorError.badFile(path: path, detail: "decompresses to more than \(maxOutput) bytes (the cap on a compressed data file); refused")
                    }
                    output.append(contentsOf: repeatElement(0, count: min(output.count, maxOutput - output.count)))
                }
                let room = output.count - produced
                status = output.withUnsafeMutableBufferPointer { dst -> Int32 in
                    stream.next_out = dst.baseAddress! + produced
                    stream.avail_out = UInt32(min(room, Int(UInt32.max)))
                    let s = CZlib.inflate(&stream, Z_NO_FLUSH)
                    produced += min(room, Int(UInt32.max)) - Int(stream.avail_out)
                    return s
                }
                consumed += availBefore - Int(stream.avail_in)
                switch status {
                case Z_OK:
                    continue
                case Z_STREAM_END:
                    // Another gzip member may follow (as `cat a.gz b.gz` makes).
                    var rest = consumed
                    while rest < src.count && src[rest] == 0 { rest += 1 }  // zero padding some tools add
                    if rest >= src.count { return }
                    guard src.count - rest >= 2, src[rest] == 0x1F, src[rest + 1] == 0x8B else {
                        throw TensorError.badFile(path: path, detail: "\(src.count - rest) unexpected bytes after the end of the compressed data")
                    }
                    consumed = rest
                    inflateReset(&stream)
                case Z_BUF_ERROR:
                    if stream.avail_in == 0 && consumed >= src.count {
                        throw TensorError.badFile(path: path, detail: "truncated compressed data (the gzip stream ends early after \(produced) bytes of output)")
                    }
                    continue  // output was full; the loop grows it
                case Z_DATA_ERROR:
                    let msg = stream.msg.map { String(cString: $0) } ?? "invalid data"
                    throw TensorError.badFile(path: path, detail: "corrupt compressed data: \(msg)")
                case Z_MEM_ERROR:
                    throw TensorError.badFile(path: path, detail: "out of memory while decompressing")
                default:
                    throw TensorError.badFile(path: path, detail: "zlib error \(status) while decompressing")
                }
            }
        }
        output.removeSubrange(produced...)
        return output
    }

    /// Compresses a buffer with gzip framing (mtime 0, no file name), for
    /// writing `.gz` files that gunzip, Python and numpy read.
    public static func deflate(_ input: [UInt8], level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        // windowBits 15 + 16 selects the gzip wrapper; memLevel 8 is zlib's default.
        let initStatus = deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                                       zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        precondition(initStatus == Z_OK, "deflateInit2_ failed with \(initStatus)")
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, UInt(input.count))) + 64
        var output = [UInt8](repeating: 0, count: bound)
        var written = 0
        input.withUnsafeBufferPointer { src in
            output.withUnsafeMutableBufferPointer { dst in
                stream.next_in = UnsafeMutablePointer(mutating: src.baseAddress ?? UnsafePointer(dst.baseAddress!))
                stream.avail_in = UInt32(src.count)
                stream.next_out = dst.baseAddress!
                stream.avail_out = UInt32(dst.count)
                let status = CZlib.deflate(&stream, Z_FINISH)
                precondition(status == Z_STREAM_END, "deflate did not finish within deflateBound (\(status))")
                written = dst.count - Int(stream.avail_out)
            }
        }
        output.removeSubrange(written...)
        return output
    }
}
