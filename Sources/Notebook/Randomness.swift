// Randomness: how a session turns its root seed into independent streams.
//
// Key scheme 2 (docs/language.md, "Randomness"). Every consumer of randomness
// (randn, rand, model initialisation per family, data generation, training)
// draws from
//
//     RandomStream(seed: rootSeed, name: "<consumer>#<n>")
//
// where <n> counts the streams that consumer has handed out since the last
// `seed(…)` (or the session's start). Nothing about the text enters a key —
// no cell index, line or column — so comments, blank lines and reformatting
// never change a number; `seed(n)` followed by the same calls draws the same
// numbers wherever it stands; each consumer counts on its own, so an added
// `randn` never moves the data, a model's initial weights or a training run's
// batches. Counts only grow with calls already made, so editing or adding a
// cell never changes what an earlier cell sees, and a REPL session replayed
// as a notebook makes the same calls in the same order.
// Scheme 1 (before this) keyed streams by call-site text position; a record
// says which scheme made it (`RunRecord.randomScheme`, absent = 1).

import KymoLanguage
import TensorEngine

public struct RandomKeys {
    /// The key scheme this build uses (recorded in every run record).
    public static let scheme = 2

    public private(set) var rootSeed: UInt64
    private var counts: [String: Int] = [:]

    public init(rootSeed: UInt64) {
        self.rootSeed = rootSeed
    }

    /// `seed(n)`: a new root seed, and every consumer's count starts again.
    public mutating func reseed(_ seed: UInt64) {
        rootSeed = seed
        counts = [:]
    }

    /// The next stream for `consumer` (`randn`, `init/convlstm`, `train`, …).
    public mutating func stream(consumer: String) -> RandomStream {
        let n = counts[consumer, default: 0]
        counts[consumer] = n + 1
        return RandomStream(seed: rootSeed, name: "\(consumer)#\(n)")
    }
}
