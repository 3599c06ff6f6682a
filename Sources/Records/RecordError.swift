// RecordError: everything that can go wrong with a run record that a user
// can cause or meet — a missing or ambiguous run, a record that was edited,
// truncated or written by a newer Kymo, a runs folder that cannot take it —
// each with a message that names the file and says what to do.

import Foundation

public enum RecordError: Error, Equatable, CustomStringConvertible {
    /// No run matches the id, prefix or path.
    case notFound(reference: String, folder: String)
    /// Several runs start with the prefix.
    case ambiguous(reference: String, candidates: [String])
    case unreadable(path: String, detail: String)
    /// The file ends before the JSON does (a partial write or a damaged copy).
    case truncated(path: String)
    /// JSON, but not a record of this format.
    case invalid(path: String, detail: String)
    /// The seal does not match the content.
    case handEdited(path: String)
    case newerFormat(path: String, found: Int, supported: Int)
    /// The runs folder cannot be created or written.
    case notWritable(folder: String, detail: String)
    case diskFull(folder: String, available: Int64, needed: Int64)
    /// A resume or replay that cannot be done, and why.
    case cannotContinue(id: String, detail: String)
    /// A record that decodes but is unsafe or absurd (control characters in a
    /// path, impossible sizes, nesting too deep, a notebook text that does not
    /// match its SHA-256).
    case refused(path: String, detail: String)
    /// A signed record whose signature does not verify.
    case badSignature(path: String, detail: String)

    public var description: String {
        switch self {
        case let .notFound(reference, folder):
            return "no run '\(reference)' in \(folder) (give a run id, a unique part of one, `last`, `last~N`, or a run folder; `kymo runs` lists them)"
        case let .ambiguous(reference, candidates):
            let shown = candidates.prefix(5).joined(separator: ", ") + (candidates.count > 5 ? ", …" : "")
            return "run '\(reference)' is ambiguous: \(candidates.count) runs match (\(shown)); give more of the id"
        case let .unreadable(path, detail):
            return "cannot read \(path): \(detail)"
        case let .truncated(path):
            return "\(path) is truncated (the JSON ends early); it was not written by Kymo's atomic writer or was damaged since — refusing it"
        case let .invalid(path, detail):
            return "\(path) is not a valid run record: \(detail)"
        case let .handEdited(path):
            return "\(path) was modified after Kymo wrote it (its seal does not match its content); refusing a record edited by hand"
        case let .newerFormat(path, found, supported):
            return "\(path) has record format \(found), but this Kymo reads format \(supported) and older; use a newer Kymo"
        case let .notWritable(folder, detail):
            return "cannot record the run: the runs folder \(folder) is not writable (\(detail)); pass --runs DIR to record elsewhere"
        case let .diskFull(folder, available, needed):
            func size(_ n: Int64) -> String { n < 10 * 1024 ? "\(n) bytes" : n < 10 * 1024 * 1024 ? "\(n / 1024) KiB" : "\(n / (1024 * 1024)) MiB" }
            return "cannot record the run: \(TerminalText.quotedPath(folder)) has \(size(available)) free, at least \(size(needed)) are needed; free space or pass --runs DIR"
        case let .cannotContinue(id, detail):
            return "run \(id): \(detail)"
        case let .refused(path, detail):
            return "\(path) is refused: \(detail)"
        case let .badSignature(path, detail):
            return "\(path) carries a signature that does not match its content (\(detail)); refusing a record changed after it was signed"
        }
    }
}
