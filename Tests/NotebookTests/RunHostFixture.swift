// The tests' host of recorded runs and replays: RecordFixtures' build and
// environment, everything else as RunHost's defaults (output discarded).

import KymoLanguage
import Notebook
import TestSupport

extension RunHost {
    static var fixture: RunHost { RunHost(stamp: RecordFixtures.host) }
}

extension ReplayOptions {
    /// `ReplayOptions` with `set` applied: `.with { $0.replayFolder = folder }`.
    static func with(_ set: (inout ReplayOptions) -> Void) -> ReplayOptions {
        var o = ReplayOptions()
        set(&o)
        return o
    }
}
