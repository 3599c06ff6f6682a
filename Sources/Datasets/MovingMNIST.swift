// MovingMNIST: the bouncing-digits generator of Srivastava et al. (2015,
// "Unsupervised Learning of Video Representations using LSTMs"), following
// the motion model of their reference code, made deterministic per sequence.
//
// Exact rules for sequence i of a generator with root stream R, N digits of
// h×w pixels, a canvas of S×S, K digits per sequence, T frames, step L = 0.1:
//  1. s = R.split("seq/\(i)"). For each digit k = 0..<K in order, draw from s:
//     d_k = s.nextInt(below: N)   which digit (uniform, with replacement),
//     y_k = s.nextDouble(), x_k = s.nextDouble()   start position in [0, 1)²,
//     u_k = s.nextDouble()        direction θ = 2π·u_k; velocity
//                                 (v_y, v_x) = (sin θ, cos θ) (PortableMath.sinCos: IEEE operations only, the same bits on every machine).
//  2. For each frame t = 0..<T — as in the reference, the first step is taken
//     before frame 0 is drawn:
//       y += v_y·L;  x += v_x·L
//       if x <= 0 { x = 0; v_x = -v_x };  if x >= 1 { x = 1; v_x = -v_x }
//       if y <= 0 { y = 0; v_y = -v_y };  if y >= 1 { y = 1; v_y = -v_y }
//       top = Int(Double(S - h)·y),  left = Int(Double(S - w)·x)  (truncation)
//     So a digit always lies wholly inside the canvas, and its speed is
//     L·(S − 28) = 3.6 pixels per frame at S = 64.
//  3. Frame t starts black (0); each digit k, as pixel/255, is pasted at
//     (top, left) by pixelwise maximum (or, with `.clippedSum`, min(1, sum)).
// Output: [T, 1, S, S] Float in [0, 1]. Sequence i depends only on (R, i, the
// digits, the configuration): never on batch composition or thread count.
// Differences from the reference code: it draws every trajectory of a batch
// from one global NumPy stream and cycles through shuffled digits; here each
// sequence has its own stream, so any sequence can be generated alone.
// Deliberately not: rotation, scaling, or changing speed (variants some
// papers use); the standard test file is read by MovingMNISTFile instead.
import TensorEngine

public enum Overlap: String, Sendable, Equatable {
    /// Pixelwise maximum (the reference code's choice).
    case maximum
    /// Sum, clipped to 1.
    case clippedSum
}

/// The generator's settings.
public struct MovingMNISTConfig: Sendable, Equatable {
    /// Frames per sequence T.
    public var frames: Int
    /// Canvas height = width S.
    public var size: Int
    /// Digits per sequence K.
    public var digits: Int
    /// Step length L per frame, as a fraction of the free canvas (size − digit size).
    public var step: Double
    public var overlap: Overlap

    public init(frames: Int = 20, size: Int = 64, digits: Int = 2, step: Double = 0.1, overlap: Overlap = .maximum) {
        self.frames = frames
        self.size = size
        self.digits = digits
        self.step = step
        self.overlap = overlap
    }
}

/// One digit's path through a sequence: which digit, and its top-left corner per frame.
public struct DigitTrack: Sendable, Equatable {
    public let digit: Int
    public let top: [Int]
    public let left: [Int]
}

/// Sequence index → Moving MNIST sequence, generated on the fly.
public final class MovingMNISTGenerator: SequenceSource, @unchecked Sendable {
    public let digitSet: MNISTDigits
    public let config: MovingMNISTConfig
    public let stream: RandomStream
    public let count: Int
    public let summary: String

    public var frames: Int { config.frames }
    public var height: Int { config.size }
    public var width: Int { config.size }

    /// `count` sequences from `digits`, sequence i drawn from `stream.split("seq/\(i)")`.
    public init(digits: MNISTDigits, config: MovingMNISTConfig, stream: RandomStream, count: Int) throws {
        let op = "moving_mnist"
        guard count >= 0 else { throw TensorError.invalidArgument(op: op, detail: "sequence count \(count) is negative") }
        guard config.frames >= 1 else { throw TensorError.invalidArgument(op: op, detail: "frames must be at least 1, got \(config.frames)") }
        guard config.digits >= 1 else { throw TensorError.invalidArgument(op: op, detail: "digits must be at least 1, got \(config.digits)") }
        guard config.size >= digits.rows && config.size >= digits.columns else {
            throw TensorError.invalidArgument(op: op,
                detail: "size \(config.size) is smaller than the \(digits.rows)×\(digits.columns) digits; use size ≥ \(max(digits.rows, digits.columns))")
        }
        guard config.step.isFinite && config.step >= 0 else {
            throw TensorError.invalidArgument(op: op, detail: "step must be finite and non-negative, got \(config.step)")
        }
        guard digits.count > 0 else { throw TensorError.invalidArgument(op: op, detail: "the digit set is empty") }
        self.digitSet = digits
        self.config = config
        self.stream = stream
        self.count = count
        let item = digits.item
        self.summary = (item == "digit" ? "Moving MNIST" : "Moving Fashion-MNIST") + ", \(count) sequences of \(config.frames) frames at \(config.size)×\(config.size), "
            + "\(config.digits) \(item)\(config.digits == 1 ? "" : "s") each, from \(digits.count) \(item)s (\(digits.provenance))"
    }

    /// The digits and positions of sequence i (rules 1 and 2 of the file header).
    public func tracks(sequence i: Int) -> [DigitTrack] {
        precondition(i >= 0 && i < count, "sequence \(i) out of 0..<\(count)")
        var s = stream.split("seq/\(i)")
        let spanY = Double(config.size - digitSet.rows), spanX = Double(config.size - digitSet.columns)
        var tracks: [DigitTrack] = []
        tracks.reserveCapacity(config.digits)
        for _ in 0..<config.digits {
            let digit = s.nextInt(below: digitSet.count)
            let y = s.nextDouble(), x = s.nextDouble(), turns = s.nextDouble()
            let p = MovingMNISTGenerator.path(y: y, x: x, turns: turns, frames: config.frames,
                                              step: config.step, spanY: spanY, spanX: spanX)
            tracks.append(DigitTrack(digit: digit, top: p.top, left: p.left))
        }
        return tracks
    }

    /// Rule 2 of the file header: the top-left corners over `frames` frames of
    /// a digit starting at (y, x) in [0, 1]² with direction 2π·turns, on a
    /// canvas whose free span (size − digit size) is spanY × spanX pixels.
    public static func path(y: Double, x: Double, turns: Double, frames: Int, step: Double,
                            spanY: Double, spanX: Double) -> (top: [Int], left: [Int]) {
        var y = y, x = x
        let direction = PortableMath.sinCos(turns: turns)
        var vy = direction.sin, vx = direction.cos
        var top = [Int](repeating: 0, count: frames)
        var left = [Int](repeating: 0, count: frames)
        for t in 0..<frames {
            y += vy * step
            x += vx * step
            if x <= 0 { x = 0; vx = -vx }
            if x >= 1 { x = 1; vx = -vx }
            if y <= 0 { y = 0; vy = -vy }
            if y >= 1 { y = 1; vy = -vy }
            top[t] = Int(spanY * y)
            left[t] = Int(spanX * x)
        }
        return (top, left)
    }

    public func write(sequence i: Int, into dst: UnsafeMutablePointer<Float>) {
        let S = config.size, T = config.frames
        let h = digitSet.rows, w = digitSet.columns
        let plane = S * S
        dst.update(repeating: 0, count: T * plane)
        let tracks = tracks(sequence: i)
        digitSet.pixels.withUnsafeBufferPointer { pixels in
            unitPixel.withUnsafeBufferPointer { lut in
                for track in tracks {
                    let image = pixels.baseAddress! + track.digit * h * w
                    for t in 0..<T {
                        let corner = dst + t * plane + track.top[t] * S + track.left[t]
                        for r in 0..<h {
                            let row = corner + r * S, src = image + r * w
                            switch config.overlap {
                            case .maximum:
                                for c in 0..<w { row[c] = Swift.max(row[c], lut[Int(src[c])]) }
                            case .clippedSum:
                                for c in 0..<w { row[c] = Swift.min(1, row[c] + lut[Int(src[c])]) }
                            }
                        }
                    }
                }
            }
        }
    }
}

public enum MovingMNIST {
    /// The stream of the held-out test sequences: fixed, independent of the
    /// notebook's seed, so every run evaluates on the same sequences.
    public static let testStream = RandomStream(seed: 0, name: "moving_mnist/test")

    /// Train and test datasets as the notebook's `moving_mnist(train:, test:,
    /// frames:, size:, digits:, source:)` builds them: training sequences on
    /// the fly from the train digits with `trainStream`, test sequences from
    /// the disjoint test digits with `testStream`.
    public static func make(train: Int, test: Int, frames: Int = 20, size: Int = 64, digits: Int = 2,
                            source: DigitSource = .auto, trainStream: RandomStream,
                            testStream: RandomStream = MovingMNIST.testStream,
                            step: Double = 0.1, overlap: Overlap = .maximum) throws -> (train: Dataset, test: Dataset) {
        guard train >= 0, test >= 0 else {
            throw TensorError.invalidArgument(op: "moving_mnist", detail: "train and test counts must be non-negative, got \(train) and \(test)")
        }
        let split = try Digits.load(source)
        return try make(train: train, test: test, digits: split,
                        config: MovingMNISTConfig(frames: frames, size: size, digits: digits, step: step, overlap: overlap),
                        trainStream: trainStream, testStream: testStream)
    }

    /// The same from digits already loaded.
    public static func make(train: Int, test: Int, digits split: DigitSplit, config: MovingMNISTConfig,
                            trainStream: RandomStream, testStream: RandomStream = MovingMNIST.testStream) throws -> (train: Dataset, test: Dataset) {
        let trainSource = try MovingMNISTGenerator(digits: split.train, config: config, stream: trainStream, count: train)
        let testSource = try MovingMNISTGenerator(digits: split.test, config: config, stream: testStream, count: test)
        return (Dataset(trainSource), Dataset(testSource))
    }
}
