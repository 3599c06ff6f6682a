// CheckpointClock: when a recorded training call writes its checkpoint — on
// a wall-clock interval (at most one a minute by default), not every tenth
// of the steps, so short calls pay for one checkpoint (at the end) and a
// hard kill of a long one loses at most the interval. Besides the clock, a
// call checkpoints when it stops early (interrupt, divergence, early stop)
// and at its last step (RecordedTraining). KYMO_CHECKPOINT_SECONDS sets the
// interval (0: every step, for tests that need many checkpoints). Which steps
// get a checkpoint never changes a result: a resume continues exactly from
// whichever step its checkpoint holds.

import Foundation

struct CheckpointClock {
    /// The default interval, in seconds.
    static let defaultSeconds = 60.0

    /// The interval `environment` asks for (KYMO_CHECKPOINT_SECONDS, a number ≥ 0), else the default.
    static func seconds(environment: [String: String] = ProcessInfo.processInfo.environment) -> Double {
        if let s = environment["KYMO_CHECKPOINT_SECONDS"], let v = Double(s), v >= 0, v.isFinite { return v }
        return defaultSeconds
    }

    let interval: Double
    private var last = DispatchTime.now().uptimeNanoseconds

    init(seconds: Double) { interval = seconds }

    /// Whether the interval has passed since the clock started or last restarted.
    var isDue: Bool { Double(DispatchTime.now().uptimeNanoseconds - last) / 1e9 >= interval }

    /// A checkpoint was written now.
    mutating func restart() { last = DispatchTime.now().uptimeNanoseconds }
}
