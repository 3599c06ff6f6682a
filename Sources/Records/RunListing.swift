// RunListing: the text of `kymo runs` (a table: id, notebook, status,
// seed, overrides, key metrics, duration; a `running` record whose process
// is gone reads as `interrupted`, RunStore), `kymo runs show RUN` (one record in full)
// and `kymo runs diff A B` (config, environment and metrics side by side,
// then the first divergence). Plain strings, stable for the same records.
// Deliberately not: terminal colours or widths (the host prints as is).

import Foundation
import KymoBase

public enum RunListing {
    /// The `kymo runs` table, oldest first; unreadable records get a line saying why.
    /// Notebook paths are shown from `base` (the reader's folder), not from wherever each run was started.
    public static func table(_ runs: [(id: String, record: Result<RunRecord, RecordError>)],
                             base: String = FileManager.default.currentDirectoryPath) -> String {
        guard !runs.isEmpty else { return "no runs recorded yet\n" }
        var rows: [[String]] = [["id", "notebook", "status", "seed", "overrides", "key metrics", "duration", "signature"]]
        var problems: [String] = []
        for (id, result) in runs {
            switch result {
            case .success(let r):
                rows.append([r.id, TerminalText.line(notebookPath(r, from: base)), r.status.rawValue, "\(r.seed)", TerminalText.line(overrides(r)),
                             TerminalText.line(keyMetrics(r)), duration(r), RecordChecks.signatureShort(r)])
            case .failure(let e):
                rows.append([id, "-", "unreadable", "-", "-", "-", "-"])
                problems.append("\(id): \(e)")
            }
        }
        var out = TextTable.render(rows)
        for p in problems { out += "unreadable \(p)\n" }
        return out
    }

    /// A run's notebook as a path usable from `base`: the recorded path resolved
    /// against the folder the run started in, relative to `base` when inside it,
    /// else absolute. REPL and kernel sessions (no notebook file) keep their name.
    public static func notebookPath(_ r: RunRecord, from base: String) -> String {
        let path = r.notebook.path
        guard r.kind == .run, !path.isEmpty else { return path }
        let full = path.hasPrefix("/") ? path : r.notebook.workingDirectory + "/" + path
        let resolved = URL(fileURLWithPath: full).standardizedFileURL.path
        let root = URL(fileURLWithPath: base).standardizedFileURL.path
        let prefix = root.hasSuffix("/") ? root : root + "/"
        return resolved.hasPrefix(prefix) ? String(resolved.dropFirst(prefix.count)) : resolved
    }

    static func trimmedRight(_ text: String) -> String {
        var s = text
        while s.hasSuffix(" ") { s.removeLast() }
        return s
    }

    /// `key=value …` as given to `--set` (so a sweep's points can be told apart), or `-`.
    public static func overrides(_ r: RunRecord) -> String {
        r.overrides.isEmpty ? "-" : r.overrides.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    /// `name=last` for up to `limit` series, then `+N more`.
    public static func keyMetrics(_ r: RunRecord, limit: Int = 3) -> String {
        guard !r.metrics.isEmpty else { return "-" }
        var parts = r.metrics.prefix(limit).map { s in "\(s.name)=\(s.values.count > 0 ? short(s.values.double(at: s.values.count - 1)) : "-")" }
        if r.metrics.count > limit { parts.append("+\(r.metrics.count - limit) more") }
        return parts.joined(separator: " ")
    }

    /// Start to end, or the cells' total while a run has no end — and for a
    /// resumed run, whose start and end enclose the time it lay interrupted.
    public static func duration(_ r: RunRecord) -> String {
        seconds(activeSeconds(r))
    }

    /// The seconds a run spent running (see `duration`).
    public static func activeSeconds(_ r: RunRecord) -> Double {
        if r.resumes.isEmpty, let d = r.duration { return d }
        return r.cells.reduce(0) { $0 + $1.duration }
    }

    public static func seconds(_ s: Double) -> String {
        // Checked before any conversion to Int: a stated 1e308 s must not trap.
        guard s.isFinite, abs(s) <= RecordLimits.maxSeconds * 10 else { return "?" }
        if s < 60 { return String(format: "%.1fs", s) }
        let total = Int(s.rounded())
        if total < 3600 { return String(format: "%dm%02ds", total / 60, total % 60) }
        return String(format: "%dh%02dm", total / 3600, (total % 3600) / 60)
    }

    /// Four significant digits (non-finite spelled out).
    public static func short(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        if x == x.rounded(), abs(x) < 1e7 { return String(Int(x)) }
        return String(format: "%.4g", x)
    }

    // MARK: show

    /// Every record string is shown with control and bidi characters escaped
    /// (one-line fields also newlines), so a record cannot fake a line.
    public static func show(_ r: RunRecord, folder: String?) -> String {
        func l(_ s: String) -> String { TerminalText.line(s) }
        var out = "run \(r.id) (\(r.kind.rawValue), \(r.status.rawValue))\n"
        func line(_ k: String, _ v: String) { out += k.padding(toLength: 12, withPad: " ", startingAt: 0) + v + "\n" }
        if let folder { line("folder", folder) }
        line("notebook", "\(l(r.notebook.path))  sha256 \(r.notebook.sha256)")
        line("directory", l(r.notebook.workingDirectory))
        line("started", l(r.startedAt))
        line("ended", l(r.endedAt ?? "-"))
        line("duration", duration(r))
        line("seed", "\(r.seed)")
        line("overrides", r.overrides.isEmpty ? "-" : r.overrides.map { "\(l($0.key))=\(l($0.value))" }.joined(separator: " "))
        line("kymo", "\(l(r.kymo.version)) (commit \(l(r.kymo.commit)))")
        line("numerics", r.numerics.map(l) ?? "(not recorded: a record from before numerics versions)")
        if let p = r.process { line("process", "\(p.pid) on \(l(p.host))") }
        line("signed", signatureText(r))
        line("checked", RecordChecks.text(r, folder: folder))
        for note in HiddenState.notes(titles: r.cells.map(\.title)) { line("", "hidden state: " + l(note)) }
        out += "environment\n"
        for (k, v) in environmentRows(r.environment) { out += "  " + k.padding(toLength: 18, withPad: " ", startingAt: 0) + l(v) + "\n" }
        for (i, stamp) in r.resumes.enumerated() {
            line(i == 0 ? "resumed" : "", "\(l(stamp.at)) at cell \(stamp.cell)\(stamp.step.map { ", step \($0)" } ?? "")")
        }
        if !r.errors.isEmpty {
            out += "errors (nothing ran)\n"
            for e in r.errors { out += e.split(separator: "\n").map { "  " + l(String($0)) }.joined(separator: "\n") + "\n" }
        }
        out += "cells\n"
        if r.cells.isEmpty { out += "  (none finished)\n" }
        for c in r.cells {
            let title = l(c.displayTitle)
            out += "  \(c.index)  \(title)  \(c.status.rawValue)  \(seconds(c.duration))"
            if !c.values.isEmpty { out += "  bound: " + c.values.map { "\(l($0.name)) (\(l($0.type)))" }.joined(separator: ", ") }
            out += "\n"
            if let e = c.error { out += e.split(separator: "\n").map { "      " + l(String($0)) }.joined(separator: "\n") + "\n" }
        }
        out += "metrics\n"
        if r.metrics.isEmpty { out += "  (none)\n" }
        for s in r.metrics {
            let n = s.values.count
            var text = "  \(l(s.name)) (\(l(s.source))): \(n) point\(n == 1 ? "" : "s")"
            if n > 0 {
                text += ", first \(short(s.values.double(at: 0))) (step \(s.steps[0]))"
                text += ", last \(short(s.values.double(at: n - 1))) (step \(s.steps[n - 1]))"
            }
            out += text + "\n"
        }
        out += "artifacts\n"
        if r.artifacts.isEmpty { out += "  (none)\n" }
        for a in r.artifacts {
            out += "  \(l(a.path))  \(a.size) bytes  sha256 \(a.sha256.prefix(16))…  cell \(a.cell)\(a.copy.map { "  copy \(l($0))" } ?? "")\n"
        }
        out += "inputs\n"
        if let inputs = r.inputs {
            if inputs.isEmpty { out += "  (none)\n" }
            for i in inputs {
                out += "  \(l(i.name))  \(l(i.kind))  \(i.size) bytes  sha256 \(i.sha256.prefix(16))…  cell \(i.cell)  at \(l(i.path))\n"
            }
        } else {
            out += "  (not recorded: a format-1 record)\n"
        }
        if !r.checkpoints.isEmpty {
            out += "checkpoints\n"
            for c in r.checkpoints { out += "  cell \(c.cell) \(l(c.site)) step \(c.step)  \(l(c.path))  \(c.size) bytes\n" }
        }
        return out
    }

    /// `by ed25519 key 3f9a 1c2b … at 2026-… (the signature matches the seal)` or `unsigned`.
    public static func signatureText(_ r: RunRecord) -> String {
        guard let s = r.signature else { return "unsigned" }
        switch RecordSigning.verify(s, seal: r.seal) {
        case .valid(let fp): return "by ed25519 key \(fp) at \(TerminalText.line(s.signedAt)) (the signature matches the seal)"
        case .validWithoutTime(let fp):
            return "by ed25519 key \(fp) (the signature matches the seal; its time \(TerminalText.line(s.signedAt)) is not covered by it)"
        case .invalid(let why): return "signature does NOT verify: \(why)"
        }
    }

    static func environmentRows(_ e: EnvironmentFingerprint) -> [(String, String)] {
        [("os", e.os), ("kernel", e.kernel), ("cpu", "\(e.cpuModel) (\(e.cpuCount) cores)"),
         ("cpu flags", e.cpuFlags.isEmpty ? "-" : e.cpuFlags.joined(separator: " ")),
         ("blas", "\(e.blasLibrary) \(e.blasVersion), kernel \(e.blasKernel)"),
         ("blas config", e.blasConfig), ("OPENBLAS_CORETYPE", e.blasCoreType ?? "(unset)"),
         ("threads", "\(e.threads)"), ("swift", e.swiftVersion), ("gemm path", (e.gemmPath ?? "(not recorded)") + " (speed only)")]
    }

    // MARK: diff

    /// Config, environment and metrics of `a` and `b` side by side (changed rows
    /// marked `*`), then where their cells first differ.
    public static func diff(_ a: RunRecord, _ b: RunRecord) -> String {
        let sections = diffSections(a, b)
        return render(diff: sections, a, b)
    }

    /// The sections `kymo runs diff` shows (config, environment, metrics, inputs),
    /// each a list of (row, A's value, B's value); `kymo runs diff --json` writes them.
    public static func diffSections(_ a: RunRecord, _ b: RunRecord) -> [(title: String, rows: [(String, String, String)])] {
        var sections: [(title: String, rows: [(String, String, String)])] = []
        var config: [(String, String, String)] = [
            ("notebook", a.notebook.path, b.notebook.path),
            ("text sha256", String(a.notebook.sha256.prefix(16)), String(b.notebook.sha256.prefix(16))),
            ("kind", a.kind.rawValue, b.kind.rawValue),
            ("status", a.status.rawValue, b.status.rawValue),
            ("seed", "\(a.seed)", "\(b.seed)"),
        ]
        for key in ReplayCompare.orderedUnion(a.overrides.map(\.key), b.overrides.map(\.key)) {
            config.append(("--set \(key)", a.overrides.last { $0.key == key }?.value ?? "-", b.overrides.last { $0.key == key }?.value ?? "-"))
        }
        config.append(("kymo", "\(a.kymo.version) \(a.kymo.commit.prefix(12))", "\(b.kymo.version) \(b.kymo.commit.prefix(12))"))
        config.append(("duration", duration(a), duration(b)))
        sections.append(("config", config))
        let ea = environmentRows(a.environment), eb = environmentRows(b.environment)
        sections.append(("environment", zip(ea, eb).map { ($0.0, $0.1, $1.1) }))
        var metrics: [(String, String, String)] = []
        for name in ReplayCompare.orderedUnion(a.metrics.map(\.name), b.metrics.map(\.name)) {
            func summary(_ s: MetricSeriesRecord?) -> String {
                guard let s, s.values.count > 0 else { return "-" }
                return "\(short(s.values.double(at: s.values.count - 1))) @\(s.steps.last!) (\(s.values.count) pts)"
            }
            let sa = a.series(named: name), sb = b.series(named: name)
            var right = summary(sb)
            if let sa, let sb, sa.values.count == sb.values.count, sa.values.bits != sb.values.bits,
               let m = ReplayCompare.metricDifference(sa, sb, range: 0..<sa.values.count) {
                right += "  max |Δ| \(short(m.maxAbs)) (step \(m.maxAbsStep)), first differs at step \(m.step)"
            }
            metrics.append((name, summary(sa), sa?.values == sb?.values && sa?.steps == sb?.steps ? summary(sb) : right))
        }
        sections.append(("metrics (last value)", metrics))
        if a.inputs != nil || b.inputs != nil {
            let ia = a.inputs ?? [], ib = b.inputs ?? []
            var rows: [(String, String, String)] = []
            for k in 0..<max(ia.count, ib.count) {
                let x = k < ia.count ? ia[k] : nil, y = k < ib.count ? ib[k] : nil
                rows.append((x?.name ?? y!.name, x.map { "sha256 \($0.sha256.prefix(16)) (\($0.size) B)" } ?? "-",
                             y.map { "sha256 \($0.sha256.prefix(16)) (\($0.size) B)" } ?? "-"))
            }
            sections.append(("inputs", rows))
        }
        return sections
    }

    /// Whether the two runs' results differ (`kymo runs diff --exit-code`): the
    /// notebook text, a `--set` or the seed, a metric series, an input, or —
    /// for the same notebook text — any cell's outputs, values or artifacts.
    /// The environment, the duration and the build do not count.
    public static func resultsDiffer(_ a: RunRecord, _ b: RunRecord) -> Bool {
        if a.notebook.sha256 != b.notebook.sha256 || a.seed != b.seed || a.overrides != b.overrides || a.status != b.status { return true }
        let sections = diffSections(a, b)
        for (title, rows) in sections where title != "environment" && title != "config" {
            if rows.contains(where: { $0.1 != $0.2 }) { return true }
        }
        return ReplayCompare.compare(recorded: a, fresh: b).verdict != .identical
    }

    /// The cells' comparison line of `runs diff` (same notebook text only): `identical`, `identical numbers` or `diverged`.
    public static func cellsVerdict(_ a: RunRecord, _ b: RunRecord) -> String? {
        a.notebook.sha256 == b.notebook.sha256 ? ReplayCompare.compare(recorded: a, fresh: b).verdict.rawValue : nil
    }

    static func render(diff sections: [(title: String, rows: [(String, String, String)])], _ a: RunRecord, _ b: RunRecord) -> String {
        // One set of columns for every section; changed rows marked `*`.
        let rows = sections.flatMap(\.rows)
        let w0 = max(10, rows.map(\.0.count).max() ?? 0)
        // Long values (CPU flags, BLAS config) overflow rather than widen every row.
        let w1 = min(40, max(24, rows.map(\.1.count).max() ?? 0))
        func row(_ mark: String, _ k: String, _ x: String, _ y: String) -> String {
            let k = TerminalText.line(k), x = TerminalText.line(x), y = TerminalText.line(y)
            return trimmedRight(mark + " " + k.padding(toLength: w0, withPad: " ", startingAt: 0) + "  "
                         + (x.count >= w1 ? x : x.padding(toLength: w1, withPad: " ", startingAt: 0)) + "  " + y) + "\n"
        }
        var out = row(" ", "", "A: \(a.id)", "B: \(b.id)")
        for (title, body) in sections {
            out += title + "\n"
            for (k, x, y) in body { out += row(x == y ? " " : "*", k, x, y) }
        }
        if a.notebook.sha256 == b.notebook.sha256 {
            let report = ReplayCompare.compare(recorded: a, fresh: b)
            out += "cells (A read as the record, B as now)\n"
            switch report.verdict {
            case .identical:
                out += "  identical outputs, values, metrics, artifacts and inputs\n"
            case .identicalNumbers:
                out += "  identical numbers: only text differs\n"
            case .diverged:
                if let d = report.divergence { out += "  " + d.headline + "\n" + d.details.map { "    " + $0 + "\n" }.joined() }
            }
            if report.verdict != .identical {
                out += "  differences (\(report.differences.count)):\n" + report.differences.map { "    " + $0.line + "\n" }.joined()
            }
            out += "  summary:\n" + report.categoryLines.map { "    " + $0 + "\n" }.joined()
        } else {
            out += "cells\n  the notebooks' texts differ; cells are not compared\n"
        }
        return out
    }
}

