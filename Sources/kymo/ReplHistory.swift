// ReplHistory: where the REPL's history file lives — $KYMO_HISTORY, else
// $XDG_STATE_HOME/kymo/history, else ~/.local/state/kymo/history — and the
// one-time move of an old ~/.kymo_history there (copied; the old file stays).

import Foundation

enum ReplHistory {
    static func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let p = environment["KYMO_HISTORY"], !p.isEmpty { return p }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        let state = environment["XDG_STATE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? home + "/.local/state"
        return state + "/kymo/history"
    }

    /// Creates the file's folder; copies ~/.kymo_history to a default path that does not exist yet.
    static func prepare(_ path: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        let fm = FileManager.default
        let folder = (path as NSString).deletingLastPathComponent
        try? fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
        guard environment["KYMO_HISTORY"] == nil, !fm.fileExists(atPath: path) else { return }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        let old = home + "/.kymo_history"
        // Each old line becomes one entry with a timestamp line before it (the format this history is kept in).
        guard let text = try? String(contentsOfFile: old, encoding: .utf8) else { return }
        let stamp = "#\(Int(Date().timeIntervalSince1970))\n"
        let converted = text.split(separator: "\n").filter { !$0.isEmpty }.map { stamp + $0 + "\n" }.joined()
        try? converted.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
