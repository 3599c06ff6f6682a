// ExitStatus: the one exit-status scheme of every kymo command (documented
// in docs/records.md, "Exit codes"). Commands throw `ExitStatus.x.code`;
// no command spells a number.

import ArgumentParser
import Records

enum ExitStatus: Int32 {
    case ok = 0
    /// The notebook or the check failed; a replay diverged.
    case failed = 1
    /// Kymo could not do it: a missing run, an unwritable folder, a bad record.
    case couldNot = 2
    /// A replay whose numbers are identical and only text differs.
    case identicalNumbers = 3
    /// SIGINT (Ctrl-C).
    case interrupted = 130
    /// SIGTERM or SIGUSR1 (scancel, a Slurm time limit, a requeue): the run stopped at a step boundary, as after Ctrl-C.
    case terminated = 143

    var code: ExitCode { ExitCode(rawValue) }
}

extension Verdict {
    /// `kymo replay`'s status for this verdict.
    var exitStatus: ExitStatus {
        switch self {
        case .identical: return .ok
        case .identicalNumbers: return .identicalNumbers
        case .diverged: return .failed
        }
    }
}
