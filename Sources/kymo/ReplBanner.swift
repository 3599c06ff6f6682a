// ReplBanner: what the interactive REPL says when it starts and when it
// leaves — where the session is recorded (runs/<id>/, created at the first
// input that runs) or that it is not (`--no-record`).

import Foundation
import Records

enum ReplBanner {
    static func banner(_ recording: ReplRecording?) -> String {
        let where_ = recording.map { "recording this session in \(TerminalText.quotedPath($0.recorder.store.runFolder($0.id)))/ (--no-record for scratch work)" }
            ?? "not recording this session (--no-record)"
        return "Kymo — \(where_)\n:help lists the built-ins, :help NAME shows one, :quit leaves.\n"
    }

    static func farewell(_ recording: ReplRecording?) -> String {
        guard let recording else { return "session not recorded (--no-record)\n" }
        guard let folder = recording.recorder.runFolder else { return "nothing ran; no record was written\n" }
        return "session recorded in \(TerminalText.quotedPath(folder)) (kymo replay \(recording.id))\n"
    }
}
