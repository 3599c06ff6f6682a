// ThreadCount: `--threads N` checked before the engine takes it: below 1 is
// a usage error (exit 64, nothing run), above the engine's 64 too; above this machine's
// cores is allowed (results never depend on it) with a note on stderr.

import ArgumentParser
import Foundation
import TensorEngine

enum ThreadCount {
    static let engineMaximum = 64

    /// The note or error for `requested` on a machine with `cores` cores: (error?, note?).
    static func check(_ requested: Int, cores: Int) -> (error: String?, note: String?) {
        if requested < 1 { return ("--threads \(requested): must be at least 1", nil) }
        if requested > engineMaximum { return ("--threads \(requested): the engine runs at most \(engineMaximum) threads", nil) }
        if requested > cores {
            return (nil, "--threads \(requested) is more than this machine's \(cores) core\(cores == 1 ? "" : "s"); "
                        + "running \(requested) threads (results never depend on it)")
        }
        return (nil, nil)
    }

    /// Checks `requested` and configures the engine with it (nil: KYMO_THREADS or the core count).
    static func configure(_ requested: Int?) throws {
        if let requested {
            let (error, note) = check(requested, cores: ProcessInfo.processInfo.activeProcessorCount)
            if let error {
                FileHandle.standardError.write(Data("kymo: error: \(error)\n".utf8))
                throw ExitStatus.usage.code
            }
            if let note { FileHandle.standardError.write(Data("kymo: note: \(note)\n".utf8)) }
        }
        Engine.configure(threads: requested)
    }
}
