// OutputTarget: where a command writes a file it was given with `-o`:
// `-` means standard output (the summary line then goes to standard error);
// any other path is written atomically (KymoBase AtomicFile), and a failure
// is exit 2.

import Foundation
import KymoBase
import Records

enum OutputTarget {
    /// Writes `bytes` to `target` (`-`: standard output) and says what was written (`summary`, after "wrote PATH").
    static func write(_ bytes: [UInt8], to target: String, command: String, summary: String) throws {
        if target == "-" {
            FileHandle.standardOutput.write(Data(bytes))
            FileHandle.standardError.write(Data("wrote standard output \(summary)\n".utf8))
            return
        }
        do {
            try AtomicFile.write(bytes, to: target)
        } catch {
            FileHandle.standardError.write(Data("kymo \(command): error: \(error)\n".utf8))
            throw ExitStatus.couldNot.code
        }
        print("wrote \(TerminalText.quotedPath(target)) \(summary)")
    }
}
