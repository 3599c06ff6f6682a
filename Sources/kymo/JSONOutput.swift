// JSONOutput: what `--json` prints (`runs`, `runs show`, `runs diff`, `data`,
// `check`, `--version`). Stable: keys sorted, a top-level `format` naming the
// shape and its version (`kymo-runs-1`, …); fields are only ever added.
// Non-finite numbers are written as the strings "nan", "inf", "-inf".
// Documented in docs/records.md, "Machine-readable output".

import Foundation
import KymoLanguage
import Records

enum JSONOutput {
    /// `value` as indented JSON text with sorted keys (no trailing newline).
    static func text<T: Encodable>(_ value: T) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        // Every value here is plain data; encoding cannot fail but for a bug, which must show.
        do { return String(decoding: try e.encode(value), as: UTF8.self) } catch { return "{\"error\": \"\(error)\"}" }
    }

    /// Writes `value` and a newline to standard output.
    static func print<T: Encodable>(_ value: T) {
        FileHandle.standardOutput.write(Data((text(value) + "\n").utf8))
    }

    // MARK: kymo runs --json

    struct Metric: Encodable {
        var name: String
        var source: String
        var last: Double?
        var step: Int?
        var points: Int
    }

    struct RunSummary: Encodable {
        var id: String
        var folder: String
        var notebook: String?
        var kind: String?
        var status: String
        var seed: UInt64?
        var overrides: [Override]?
        var metrics: [Metric]?
        var startedAt: String?
        var endedAt: String?
        var seconds: Double?
        var signature: String?
        /// Why the record could not be read (then most fields are absent).
        var error: String?
    }

    struct RunList: Encodable {
        var format = "kymo-runs-1"
        var folders: [String]
        var runs: [RunSummary]
    }

    static func metrics(_ r: RunRecord) -> [Metric] {
        r.metrics.map { s in
            Metric(name: s.name, source: s.source, last: s.values.count > 0 ? s.values.double(at: s.values.count - 1) : nil,
                   step: s.steps.last, points: s.values.count)
        }
    }

    static func summary(_ r: RunRecord, folder: String) -> RunSummary {
        RunSummary(id: r.id, folder: folder, notebook: r.notebook.path, kind: r.kind.rawValue, status: r.status.rawValue, seed: r.seed,
                   overrides: r.overrides, metrics: metrics(r), startedAt: r.startedAt, endedAt: r.endedAt,
                   seconds: RunListing.activeSeconds(r), signature: RecordChecks.signatureShort(r), error: nil)
    }

    static func runList(_ stores: [RunStore]) -> RunList {
        var runs: [RunSummary] = []
        for store in stores {
            for (id, result) in store.list() {
                switch result {
                case .success(let r): runs.append(summary(r, folder: store.runFolder(id)))
                case .failure(let e):
                    runs.append(RunSummary(id: id, folder: store.runFolder(id), status: "unreadable", error: "\(e)"))
                }
            }
        }
        let order = RunStore.chronological(runs.map { ($0.id, $0.folder) }).map(\.folder)
        let byFolder = Dictionary(runs.map { ($0.folder, $0) }, uniquingKeysWith: { a, _ in a })
        return RunList(folders: stores.map(\.folder), runs: order.compactMap { byFolder[$0] })
    }

    // MARK: kymo runs show --json

    struct Show: Encodable {
        var format = "kymo-run-1"
        var folder: String
        var signature: String
        /// The record exactly as its record.json holds it (docs/records.md, "The record").
        var record: RunRecord
    }

    // MARK: kymo runs diff --json

    struct DiffRow: Encodable {
        var name: String
        var a: String
        var b: String
        var same: Bool
    }

    struct DiffSection: Encodable {
        var title: String
        var rows: [DiffRow]
    }

    struct Diff: Encodable {
        var format = "kymo-runs-diff-1"
        var a: String
        var b: String
        var sections: [DiffSection]
        /// The cells compared as a replay would (same notebook text only): identical, identical numbers, diverged.
        var cells: String?
        /// What `--exit-code` answers: the results differ (RunListing.resultsDiffer).
        var differ: Bool
    }

    static func diff(_ a: RunRecord, _ b: RunRecord) -> Diff {
        let sections = RunListing.diffSections(a, b).map { s in
            DiffSection(title: s.title, rows: s.rows.map { DiffRow(name: $0.0, a: $0.1, b: $0.2, same: $0.1 == $0.2) })
        }
        return Diff(a: a.id, b: b.id, sections: sections, cells: RunListing.cellsVerdict(a, b), differ: RunListing.resultsDiffer(a, b))
    }

    // MARK: kymo check --json

    struct Problem: Encodable {
        var kind: String
        var message: String
        var line: Int?
        var column: Int?
        var suggestion: String?
        /// The diagnostic as `kymo check` prints it (file:line:col, the line, a caret).
        var text: String
    }

    struct CheckResult: Encodable {
        var format = "kymo-check-1"
        var notebook: String
        var ok: Bool
        var errors: [Problem]
    }

    static func check(notebook: String, _ diagnostics: [Diagnostic]) -> CheckResult {
        CheckResult(notebook: notebook, ok: diagnostics.isEmpty, errors: diagnostics.map { d in
            Problem(kind: "\(d.kind)", message: d.message, line: d.span?.start.line, column: d.span?.start.column,
                    suggestion: d.suggestion, text: DiagnosticFormatter.render(d))
        })
    }
}
