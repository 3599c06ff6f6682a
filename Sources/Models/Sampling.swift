// Scheduled sampling for predictor training (Bengio et al. 2015; PredRNN's
// schedule): after the first frames_in steps, each sequence's next input is the
// true frame with probability p(step), otherwise the model's own prediction.
// The default decays p linearly from 1 to 0 over the first two thirds of
// training, then feeds predictions only (as evaluation does). Masks are drawn
// from a stream derived from the training seed and the step number alone, so a
// resumed run draws the same masks.
import TensorEngine

public enum SamplingSchedule: Equatable, Sendable {
    /// Never the true frame: the model always sees its own predictions.
    case off
    /// The true frame with a fixed probability.
    case constant(Double)
    /// p decays linearly from `from` to `to` over `steps` steps, then stays at `to`.
    case linear(from: Double, to: Double, steps: Int)

    /// The default for a run of `totalSteps` steps: linear 1 → 0 over ⌈2/3⌉ of them.
    public static func standard(totalSteps: Int) -> SamplingSchedule {
        .linear(from: 1, to: 0, steps: max(1, (2 * totalSteps + 2) / 3))
    }

    /// Probability of the true frame at step `step` (0-based).
    public func probability(atStep step: Int) -> Double {
        switch self {
        case .off: return 0
        case let .constant(p): return p
        case let .linear(a, b, n):
            if step >= n { return b }
            return a + (b - a) * Double(step) / Double(n)
        }
    }

    public func validate() throws {
        func bad(_ p: Double) -> Bool { !(p >= 0 && p <= 1) }
        switch self {
        case .off: return
        case let .constant(p) where bad(p):
            throw ModelError.invalidOption(op: "train", detail: "sampling probability \(p) is outside [0, 1]")
        case let .linear(a, b, n) where bad(a) || bad(b) || n < 1:
            throw ModelError.invalidOption(op: "train", detail: "sampling schedule linear(\(a) → \(b) over \(n) steps) needs probabilities in [0, 1] and at least 1 step")
        default: return
        }
    }

    /// A stable text form ("off", "constant 0.5", "linear 1 0 200"), stored in checkpoints.
    public var text: String {
        switch self {
        case .off: return "off"
        case let .constant(p): return "constant \(p)"
        case let .linear(a, b, n): return "linear \(a) \(b) \(n)"
        }
    }

    public init?(text: String) {
        let parts = text.split(separator: " ").map(String.init)
        switch parts.first {
        case "off"?: self = .off
        case "constant"? where parts.count == 2: guard let p = Double(parts[1]) else { return nil }; self = .constant(p)
        case "linear"? where parts.count == 4:
            guard let a = Double(parts[1]), let b = Double(parts[2]), let n = Int(parts[3]) else { return nil }
            self = .linear(from: a, to: b, steps: n)
        default: return nil
        }
    }

    /// The mask for one training step: [batch][frames_out − 1], true = use the true frame.
    /// nil when every entry would be false (no teacher forcing at all).
    func mask(step: Int, batch: Int, framesOut: Int, stream: RandomStream) -> SamplingMask? {
        let p = probability(atStep: step)
        if p <= 0 || framesOut < 2 { return nil }
        var s = stream.split("step \(step)")
        return (0..<batch).map { _ in (0..<(framesOut - 1)).map { _ in s.nextDouble() < p } }
    }
}
