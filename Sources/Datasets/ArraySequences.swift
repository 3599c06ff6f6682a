// ArraySequences: the sequences of a user's array file (load_sequences). The
// array, in the axis order its SequenceLayout names, holds N series (1 without
// an N axis) of T frames of C channels (1 without a C axis) at H × W. With
// `frames` each series is cut into windows of that many frames every
// `stride` frames (default: `frames`, no overlap): (T − frames) / stride + 1
// windows per series, series by series, window by window. Without `frames` a
// sequence is a whole series.
// Sequence i is read on demand: one block (series n, frames t0 ..< t0+frames,
// every channel and pixel) in the file's axis order, then put in [T, C, H, W]
// order. A block that cannot be read (the file damaged after loading) is
// written as NaN, which training refuses as a non-finite loss.
import TensorEngine

public final class ArraySequences: SequenceSource, @unchecked Sendable {
    public let reader: any ArrayReader
    public let layout: SequenceLayout
    public let series: Int, seriesLength: Int
    public let frames: Int, stride: Int, windowsPerSeries: Int
    public let channels: Int, height: Int, width: Int
    public let summary: String
    /// The variable read (nil: the file's only array).
    public let variable: String?

    public var count: Int { series * windowsPerSeries }

    public init(reader: any ArrayReader, layout text: String, variable: String? = nil, frames: Int? = nil, stride: Int? = nil, label: String? = nil) throws {
        let s = reader.shape
        let layout = try SequenceLayout(text, shape: s, file: reader.name)
        self.reader = reader
        self.layout = layout
        self.variable = variable
        series = layout.length("N", s)
        seriesLength = layout.length("T", s)
        channels = layout.length("C", s)
        height = layout.length("H", s)
        width = layout.length("W", s)
        func bad(_ why: String) -> TensorError { .badFile(path: reader.name, detail: "shape \(describeShape(s)) read as \(layout): \(why)") }
        guard s.allSatisfy({ $0 > 0 }) else { throw bad("an axis is empty") }
        if let f = frames {
            guard f >= 1 else { throw TensorError.invalidArgument(op: "load_sequences", detail: "frames must be at least 1, got \(f)") }
            let st = stride ?? f
            guard st >= 1 else { throw TensorError.invalidArgument(op: "load_sequences", detail: "stride must be at least 1, got \(st)") }
            guard f <= seriesLength else { throw bad("a window of \(f) frames is longer than a series of \(seriesLength)") }
            self.frames = f
            self.stride = st
            windowsPerSeries = (seriesLength - f) / st + 1
        } else {
            guard stride == nil else { throw TensorError.invalidArgument(op: "load_sequences", detail: "stride needs frames (the window length)") }
            self.frames = seriesLength
            self.stride = seriesLength
            windowsPerSeries = 1
        }
        let name = label ?? reader.name
        var text = "\(name) (\(reader.dtypeName) \(describeShape(s)) read as \(layout)): "
        text += "\(series) series of \(seriesLength) frames, \(channels) channel\(channels == 1 ? "" : "s") at \(height)×\(width)"
        if frames != nil { text += ", windows of \(self.frames) frames every \(self.stride)" }
        summary = text
    }

    /// The series and first frame of sequence i.
    public func window(_ i: Int) -> (series: Int, start: Int) {
        (i / windowsPerSeries, (i % windowsPerSeries) * stride)
    }

    public func write(sequence i: Int, into dst: UnsafeMutablePointer<Float>) {
        let (n, t0) = window(i)
        let s = reader.shape, r = s.count
        var start = [Int](repeating: 0, count: r), count = s
        if let a = layout.axis("N") { start[a] = n; count[a] = 1 }
        let ta = layout.axis("T")!
        start[ta] = t0; count[ta] = frames
        let total = count.reduce(1, *)
        let block = UnsafeMutablePointer<Float>.allocate(capacity: total)
        defer { block.deallocate() }
        do { try reader.readBlock(start: start, count: count, into: block) } catch {
            dst.update(repeating: .nan, count: total)
            return
        }
        // strides of the block in file order, then gathered in T C H W order
        var strides = [Int](repeating: 1, count: r)
        for a in Swift.stride(from: r - 2, through: 0, by: -1) { strides[a] = strides[a + 1] * count[a + 1] }
        func st(_ l: Character) -> Int { layout.axis(l).map { strides[$0] } ?? 0 }
        let sT = st("T"), sC = st("C"), sH = st("H"), sW = st("W")
        var o = 0
        for t in 0..<frames {
            for c in 0..<channels {
                for y in 0..<height {
                    let row = block + t * sT + c * sC + y * sH
                    if sW == 1 {
                        (dst + o).update(from: row, count: width)
                    } else {
                        for x in 0..<width { dst[o + x] = row[x * sW] }
                    }
                    o += width
                }
            }
        }
    }

    /// Throws naming the file, the variable and the shape when a value is NaN
    /// (read in blocks of at most 64 frames of one series, so a large file is
    /// never held whole).
    public func checkFinite() throws {
        let s = reader.shape, ta = layout.axis("T")!
        var start = [Int](repeating: 0, count: s.count), count = s
        for n in 0..<series {
            if let a = layout.axis("N") { start[a] = n; count[a] = 1 }
            var t0 = 0
            while t0 < seriesLength {
                start[ta] = t0; count[ta] = Swift.min(64, seriesLength - t0)
                let total = count.reduce(1, *)
                let block = UnsafeMutablePointer<Float>.allocate(capacity: total)
                defer { block.deallocate() }
                try reader.readBlock(start: start, count: count, into: block)
                for k in 0..<total where block[k].isNaN {
                    var rest = k, index = [Int](repeating: 0, count: s.count)
                    for a in Swift.stride(from: s.count - 1, through: 0, by: -1) { index[a] = rest % count[a] + start[a]; rest /= count[a] }
                    throw TensorError.badFile(path: reader.name, detail: "holds NaN at index \(index) of shape \(describeShape(s)) (\(layout)); fill or drop missing values before training")
                }
                t0 += count[ta]
            }
        }
    }
}
