// SequenceLayout: how a file's axes map onto sequences, written with the
// letters N T C H W in the file's axis order (N and C optional): "NTCHW"
// (the default), "TNHW" (the standard Moving MNIST file), "TCHW" (one long
// series), "NTHWC" (channels last). A layout that does not fit the array's
// rank, or repeats or misses a letter, is refused naming the file and shape.
import TensorEngine

public struct SequenceLayout: Equatable, Sendable, CustomStringConvertible {
    /// The letters in file axis order.
    public let letters: [Character]

    public init(_ text: String, shape: [Int], file: String) throws {
        let letters = Array(text.uppercased())
        func bad(_ why: String) -> TensorError {
            .badFile(path: file, detail: "layout \"\(text)\" does not fit the array of shape \(describeShape(shape)): \(why)")
        }
        guard letters.allSatisfy({ "NTCHW".contains($0) }) else {
            throw bad("a layout uses only the letters N T C H W (sequences, time, channels, height, width)")
        }
        guard Set(letters).count == letters.count else { throw bad("a letter appears twice") }
        for need in "THW" where !letters.contains(need) {
            throw bad("it needs T, H and W (\(need) is missing); N and C are optional")
        }
        guard letters.count == shape.count else {
            throw bad("it names \(letters.count) axes, the array has \(shape.count)")
        }
        self.letters = letters
    }

    public var description: String { String(letters) }

    /// The axis of `letter` in the file, or nil (N or C absent).
    public func axis(_ letter: Character) -> Int? { letters.firstIndex(of: letter) }

    /// The length of `letter`'s axis in `shape` (1 when absent).
    public func length(_ letter: Character, _ shape: [Int]) -> Int { axis(letter).map { shape[$0] } ?? 1 }
}
