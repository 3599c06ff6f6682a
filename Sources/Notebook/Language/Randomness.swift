// Randomness: how a session turns its root seed into independent streams.
//
// Key scheme. Every consumer of randomness (randn, rand, model
// initialisation, data generation, batch sampling, …) draws from
//
//     RandomStream(seed: rootSeed, name: "<consumer>@<cell>.<line>:<column>#<n>")
//
// where <cell> is the 0-based index of the cell holding the call site,
// <line> its line counted from the cell's first line (1-based), <column> its
// column, and <n> how many streams that same key has handed out since the
// last `seed(…)` (0, 1, 2, … — a call inside a loop or function gets a fresh
// stream each time). A stream depends only on these, so adding or editing a
// cell never changes the numbers an earlier cell sees, and a REPL session
// replayed as a notebook with one cell per input draws the same numbers.
// `seed(n)` sets the root seed and restarts every count.

import TensorEngine

public struct RandomKeys {
    public private(set) var rootSeed: UInt64
    private var counts: [String: Int] = [:]

    public init(rootSeed: UInt64) {
        self.rootSeed = rootSeed
    }

    public mutating func reseed(_ seed: UInt64) {
        rootSeed = seed
        counts = [:]
    }

    /// The next stream for `consumer` at `site` ("<cell>.<line>:<column>").
    public mutating func stream(consumer: String, site: String) -> RandomStream {
        let key = "\(consumer)@\(site)"
        let n = counts[key, default: 0]
        counts[key] = n + 1
        return RandomStream(seed: rootSeed, name: "\(key)#\(n)")
    }
}
