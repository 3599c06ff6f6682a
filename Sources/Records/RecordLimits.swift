// RecordLimits: what a record read from anyone must satisfy before Kymo acts
// on it — replay runs its text, resume reads its checkpoints, the listing
// prints its paths. Refused with a clear error (never a crash or a hang):
// files over 256 MiB, JSON nested deeper than 64 levels, paths or names with
// NUL or other control characters, sizes, counts and durations no real run
// has, artifact copies and checkpoints that lead out of the run folder, an id
// that is not a run id, and a notebook text that does not match its SHA-256.
// Deliberately not: judging what the notebook computes (replay runs it; see
// docs/records.md, "Threat model").

import Foundation

public enum RecordLimits {
    public static let maxRecordBytes = 256 << 20
    /// A record nests 6 levels; 64 leaves room and stops a nesting bomb early.
    public static let maxDepth = 64
    /// Sizes of files named in a record (1 PiB).
    public static let maxFileSize = 1 << 50
    public static let maxCells = 100_000
    public static let maxEntries = 1_000_000
    /// Durations (seconds) a record may state: about 31 years.
    public static let maxSeconds = 1e9

    /// Throws `RecordError.refused` naming the first problem.
    public static func check(_ r: RunRecord, path: String) throws {
        func refuse(_ detail: String) -> RecordError { .refused(path: path, detail: detail) }
        guard RunID.isWellFormed(r.id) else { throw refuse("its id \(quoted(r.id)) is not a run id") }
        guard RecordHash.hex(of: r.notebook.text) == r.notebook.sha256 else {
            throw refuse("its notebook text does not match the notebook's SHA-256")
        }
        var names: [(String, String)] = [("notebook.path", r.notebook.path), ("notebook.workingDirectory", r.notebook.workingDirectory)]
        names += r.artifacts.map { ("artifact path", $0.path) } + r.artifacts.compactMap { a in a.copy.map { ("artifact copy", $0) } }
        names += r.checkpoints.flatMap { [("checkpoint path", $0.path), ("checkpoint site", $0.site)] }
        names += (r.inputs ?? []).flatMap { [("input path", $0.path), ("input name", $0.name), ("input kind", $0.kind)] }
        names += r.metrics.map { ("metric name", $0.name) }
        names += r.cells.flatMap { c in c.values.map { ("value name", $0.name) } }
        names += r.overrides.map { ("override key", $0.key) }
        for (what, text) in names {
            if let bad = firstControl(text) { throw refuse("its \(what) \(quoted(text)) holds the control character U+\(String(format: "%04X", bad))") }
            if text.utf8.count > 4096 { throw refuse("its \(what) is \(text.utf8.count) bytes long") }
        }
        for (what, size) in r.artifacts.map({ ("artifact \($0.path)", $0.size) }) + r.checkpoints.map({ ("checkpoint \($0.path)", $0.size) })
            + (r.inputs ?? []).map({ ("input \($0.name)", $0.size) }) where size < 0 || size > maxFileSize {
            throw refuse("the size of \(what) is \(size) bytes")
        }
        for (what, hex) in r.artifacts.map({ ($0.path, $0.sha256) }) + r.checkpoints.map({ ($0.path, $0.sha256) })
            + (r.inputs ?? []).map({ ($0.name, $0.sha256) }) where !isSHA256(hex) {
            throw refuse("the SHA-256 of \(what) is not 64 hex digits")
        }
        for c in r.checkpoints where !RecordFolderFile.isConfinedName(c.path) {
            throw refuse("checkpoint path \(quoted(c.path)) leads out of the run folder")
        }
        for a in r.artifacts { if let copy = a.copy, !RecordFolderFile.isConfinedName(copy) {
            throw refuse("the copy \(quoted(copy)) of artifact \(quoted(a.path)) leads out of the run folder")
        } }
        for c in r.cells where !c.duration.isFinite || abs(c.duration) > maxSeconds {
            throw refuse("cell \(c.index) lasted \(c.duration) seconds")
        }
        guard r.cells.count <= maxCells else { throw refuse("it has \(r.cells.count) cells") }
        for c in r.cells where c.index < 0 || c.index > maxCells { throw refuse("a cell has index \(c.index)") }
        for (i, c) in r.cells.enumerated() where c.index != i { throw refuse("cell \(i) says it is cell \(c.index)") }
        for a in r.artifacts where a.cell < 0 || a.cell > maxCells { throw refuse("artifact \(quoted(a.path)) names cell \(a.cell)") }
        let entries = r.metrics.reduce(0) { $0 + $1.values.count } + r.artifacts.count + r.checkpoints.count + (r.inputs?.count ?? 0)
        guard entries <= maxEntries * 16 else { throw refuse("it holds \(entries) entries") }
        for s in r.metrics {
            for c in r.cells { if let n = c.metricCounts.first(where: { $0.name == s.name })?.count, n < 0 || n > s.values.count {
                throw refuse("cell \(c.index) counts \(n) points of metric \(quoted(s.name)), which holds \(s.values.count)")
            } }
        }
    }

    /// The first scalar below U+0020 (or DEL, or a C1 control), if any.
    public static func firstControl(_ s: String) -> UInt32? {
        s.unicodeScalars.first { $0.value < 0x20 || ($0.value >= 0x7F && $0.value < 0xA0) }?.value
    }

    static func isSHA256(_ s: String) -> Bool { s.utf8.count == 64 && s.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) } }

    /// Shown safely: control characters escaped, long text cut.
    public static func quoted(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars.prefix(120) {
            out += u.value < 0x20 || (u.value >= 0x7F && u.value < 0xA0) ? "\\u{\(String(u.value, radix: 16))}" : String(u)
        }
        return "\"" + out + (s.unicodeScalars.count > 120 ? "…" : "") + "\""
    }
}
