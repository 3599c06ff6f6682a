// MovingMNISTFile: the standard fixed Moving MNIST test file
// `mnist_test_seq.npy` (Srivastava et al.): uint8 [20, 10000, 64, 64], frame-
// major [T, N, H, W]. It is memory-mapped (820 MB) and sequence i is gathered
// on demand as [T, 1, H, W] Float, pixel/255 — the same conversion the
// generator uses. Float32/float64 files in the same layout are accepted with
// values taken as they are. `export` writes any dataset in the standard
// layout as uint8 (for PyTorch cross-checks or for sharing a fixed test set).
// No layout is guessed: by shape alone frame-major [T, N, H, W] and
// sequence-major [N, T, H, W] cannot be told apart, so a 5-D file, and a 4-D
// file with more "frames" than "sequences" (what a sequence-major file of a
// real study looks like), are refused with the `load_sequences(path,
// layout: …)` call that says the layout instead. What is read says its layout.
import TensorEngine

public final class MovingMNISTFile: SequenceSource, @unchecked Sendable {
    public let array: NPYArray
    public let count: Int, frames: Int, height: Int, width: Int
    public let summary: String

    /// The one layout this reader takes, as it prints and records it.
    public static let layout = "frame-major [T, N, H, W]"

    /// `name`: the file as the notebook named it (for the suggested call; default its file name).
    public init(path: String, name: String? = nil) throws {
        let a = try NPYArray(path: path)
        let s = a.shape
        try MovingMNISTFile.checkLayout(path: path, name: name, shape: s)
        guard a.dtype.kind == "u" && a.dtype.size == 1 || a.dtype.kind == "f" else {
            throw TensorError.badFile(path: path, detail: "holds \(a.dtype) values; Moving MNIST files hold uint8 (0–255) or float32/float64 (0–1)")
        }
        array = a
        frames = s[0]; count = s[1]; height = s[2]; width = s[3]
        summary = "Moving MNIST file \(path.split(separator: "/").last.map(String.init) ?? path), read \(MovingMNISTFile.layout) = \(describeShape(s)): " +
            "\(count) sequences of \(frames) frames at \(height)×\(width) (\(a.dtype))"
    }

    /// Refuses every shape that is not unmistakably frame-major [T, N, H, W],
    /// naming the file and its shape and showing the call that states a layout.
    static func checkLayout(path: String, name: String?, shape s: [Int]) throws {
        let name = name ?? path.split(separator: "/").last.map(String.init) ?? path
        func refuse(_ why: String, layout: String) -> TensorError {
            .badFile(path: path, detail: "shape \(describeShape(s)): \(why). load_moving_mnist reads only the standard " +
                     "\(MovingMNISTFile.layout) file (mnist_test_seq.npy is [20, 10000, 64, 64]) and never guesses a layout; " +
                     "say how yours is stored: load_sequences(\"\(name)\", layout: \"\(layout)\")")
        }
        switch s.count {
        case 4:
            if s[0] > s[1] {
                throw refuse("more \"frames\" (\(s[0])) than \"sequences\" (\(s[1])), which is what a sequence-major [N, T, H, W] file looks like",
                             layout: "NTHW")
            }
        case 5:
            throw refuse("a 5-D file is [N, T, C, H, W] or [T, N, C, H, W], and its shape cannot say which", layout: "NTCHW")
        default:
            throw TensorError.badFile(path: path,
                detail: "shape \(describeShape(s)) is not Moving MNIST's [frames, sequences, height, width] (e.g. [20, 10000, 64, 64])")
        }
    }

    public func write(sequence i: Int, into dst: UnsafeMutablePointer<Float>) {
        let plane = height * width
        if array.dtype.kind == "u" {
            let bytes = array.rawData.baseAddress!.assumingMemoryBound(to: UInt8.self)
            unitPixel.withUnsafeBufferPointer { lut in
                for t in 0..<frames {
                    let src = bytes + (t * count + i) * plane, out = dst + t * plane
                    for p in 0..<plane { out[p] = lut[Int(src[p])] }
                }
            }
        } else {
            for t in 0..<frames {
                array.copyFloats(from: (t * count + i) * plane, count: plane, into: dst + t * plane)
            }
        }
    }

    /// The notebook's `load_moving_mnist(path)`.
    public static func load(_ path: String, name: String? = nil) throws -> Dataset {
        Dataset(try MovingMNISTFile(path: path, name: name))
    }

    /// Writes the first `limit` (default all) sequences of `dataset` to `path`
    /// as uint8 [T, N, H, W] (pixel = round(255·value), values clamped to [0, 1]).
    public static func export(_ dataset: Dataset, to path: String, limit: Int? = nil) throws {
        let n = min(limit ?? dataset.count, dataset.count)
        guard n > 0 else { throw TensorError.invalidArgument(op: "export", detail: "no sequences to write") }
        guard dataset.channels == 1 else {
            throw TensorError.invalidArgument(op: "export", detail: "the Moving MNIST layout has one channel; this dataset has \(dataset.channels) (use save_sequences)")
        }
        let T = dataset.frames, plane = dataset.height * dataset.width
        var bytes = [UInt8](repeating: 0, count: T * n * plane)
        let seq = Tensor(uninitialized: dataset.sequenceShape)
        seq.withMutableData { s in
            for i in 0..<n {
                dataset.source.write(sequence: i, into: s.baseAddress!)
                for t in 0..<T {
                    for p in 0..<plane {
                        let v = Swift.min(1, Swift.max(0, s[t * plane + p]))
                        bytes[(t * n + i) * plane + p] = UInt8((v * 255).rounded())
                    }
                }
            }
        }
        try NPY.write(uint8: bytes, shape: [T, n, dataset.height, dataset.width], to: path)
    }
}
