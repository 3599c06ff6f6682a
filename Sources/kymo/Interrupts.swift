// Interrupts: Ctrl-C only sets the session's interrupt flag (the
// interpreter checks it between statements, training at step boundaries).
// A second Ctrl-C while the first is still pending exits at once, for work
// stuck inside one long engine call. `kymo run` and `kymo resume` (and
// `kymo replay`) also take SIGTERM and SIGUSR1 that way — what `scancel`, a
// Slurm time limit (`--signal=B:USR1@120`), `scontrol requeue` and mpirun
// send — and then exit 143 instead of 130, after the record says
// `interrupted` with the step its checkpoint holds.

import Foundation
import KymoLanguage
import Notebook
import Synchronization

// What the handlers read and write: lock-free atomics (async-signal-safe), each
// touched once in `install` before a handler can run (a global's first use
// initializes it, which a signal handler must not be the one to do).
// The flag the handler sets: the address of an unmanaged reference retained for the rest of the process (0: none).
private let installedFlag = Atomic<UInt>(0)
// The signal that interrupted (0: none yet); written only by the handler.
private let interruptSignal = Atomic<Int32>(0)
// `--procs`: the mpirun child a SIGTERM or SIGUSR1 is passed on to (as SIGUSR1, which mpirun forwards to every rank).
private let forwardPid = Atomic<Int32>(0)

enum Interrupts {
    /// Routes SIGINT to `flag` (without SA_RESTART, so a blocking read returns);
    /// with `termination`, SIGTERM and SIGUSR1 as well (a run's commands, not the REPL).
    /// The flag is retained for the rest of the process (never released): the
    /// handler can fire at any time, so the word it writes must never be freed,
    /// not even after a later `install` replaces it.
    static func install(_ flag: InterruptFlag, termination: Bool = false) {
        _ = interruptSignal.load(ordering: .relaxed)
        installedFlag.store(UInt(bitPattern: Unmanaged.passRetained(flag).toOpaque()), ordering: .releasing)
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { sig in
            guard let raw = UnsafeRawPointer(bitPattern: installedFlag.load(ordering: .acquiring)) else { return }
            Unmanaged<InterruptFlag>.fromOpaque(raw)._withUnsafeGuaranteedRef { flag in   // no retain in a handler
                if flag.isRequested {
                    // A second signal while the first is pending: Ctrl-C leaves at once, SIGTERM/SIGUSR1 keep waiting for the step.
                    if sig == SIGINT { _exit(ExitStatus.interrupted.rawValue) }
                    return
                }
                interruptSignal.store(sig, ordering: .relaxed)
                flag.request()   // releasing: whoever sees the flag sees the signal
            }
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
        if termination {
            sigaction(SIGTERM, &action, nil)
            sigaction(SIGUSR1, &action, nil)
        }
    }

    /// The exit status of an interrupted run: 143 after SIGTERM or SIGUSR1, 130 after Ctrl-C.
    static var interruptedStatus: ExitStatus {
        let sig = interruptSignal.load(ordering: .relaxed)
        return sig == SIGTERM || sig == SIGUSR1 ? .terminated : .interrupted
    }

    /// `--procs`: SIGTERM and SIGUSR1 to this process reach the ranks under
    /// `pid` (mpirun) as SIGUSR1, so that each stops at the same step boundary
    /// and rank 0 keeps the record (mpirun itself answers SIGTERM by killing them).
    static func forwardTerminationSignals(to pid: pid_t) {
        forwardPid.store(pid, ordering: .releasing)
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            let pid = forwardPid.load(ordering: .acquiring)
            if pid > 0 { kill(pid, SIGUSR1) }
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        sigaction(SIGTERM, &action, nil)
        sigaction(SIGUSR1, &action, nil)
    }
}
