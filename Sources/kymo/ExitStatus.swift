// ExitStatus: the one exit-status scheme of every kymo command (documented
// in `kymo --help` and docs/records.md, "Exit codes"). Commands throw
// `ExitStatus.x.code`; no command spells a number.

import ArgumentParser
import Records

enum ExitStatus: Int32 {
    case ok = 0
    /// The notebook or the check failed; a replay whose numbers are identical but whose text differs.
    case failed = 1
    /// Kymo could not do it: a missing run or notebook, an unwritable folder, a bad record or input file.
    case couldNot = 2
    /// A replay diverged: a number differs (SPEC: "3 replay diverged").
    case diverged = 3
    /// Usage: an unknown command or option, a bad value (`--set nosuch=3`); nothing ran, nothing was recorded.
    case usage = 64
    /// SIGINT (Ctrl-C).
    case interrupted = 130
    /// SIGTERM or SIGUSR1 (scancel, a Slurm time limit, a requeue): the run stopped at a step boundary, as after Ctrl-C.
    case terminated = 143

    var code: ExitCode { ExitCode(rawValue) }

    /// The table `kymo --help` shows (and docs/records.md, "Exit codes").
    static let helpText = """
        EXIT STATUS (every command):
          0    ok
          1    the notebook or the check failed; replay: identical numbers, only
               text differs; runs diff --exit-code: the runs differ
          2    Kymo could not do it: a missing run, notebook or folder, an unwritable
               folder, a bad record or input file
          3    replay diverged: a number differs
          64   usage: an unknown command or option, a bad value (nothing ran)
          130  interrupted (SIGINT, Ctrl-C); 143 stopped by SIGTERM or SIGUSR1
        """
}

extension Verdict {
    /// `kymo replay`'s status for this verdict.
    var exitStatus: ExitStatus {
        switch self {
        case .identical: return .ok
        case .identicalNumbers: return .failed
        case .diverged: return .diverged
        }
    }
}
