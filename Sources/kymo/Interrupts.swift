// Interrupts: Ctrl-C only sets the session's interrupt flag (the
// interpreter checks it between statements, training at step boundaries).
// A second Ctrl-C while the first is still pending exits at once, for work
// stuck inside one long engine call.

import Foundation
import KymoLanguage
import Notebook

// Set before the handler is installed, then only read by it (a C signal handler cannot capture context).
nonisolated(unsafe) private var interruptWord: UnsafeMutablePointer<sig_atomic_t>?

enum Interrupts {
    /// Routes SIGINT to `flag` (without SA_RESTART, so a blocking read returns).
    /// The flag is retained for the rest of the process (never released): the
    /// handler can fire at any time, so the word it writes must never be freed,
    /// not even after a later `install` replaces it.
    static func install(_ flag: InterruptFlag) {
        _ = Unmanaged.passRetained(flag)
        interruptWord = flag.pointer
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            guard let word = interruptWord else { return }
            if word.pointee != 0 { _exit(ExitStatus.interrupted.rawValue) }
            word.pointee = 1
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
    }
}
