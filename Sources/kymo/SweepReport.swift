// SweepReport: `kymo report sweep-<id>` — one self-contained HTML page of a
// study: the sweep command that regenerates it, the comparison `kymo runs
// compare` prints (mean ± sd, intervals, the paired or Welch test with Holm's
// adjustment, identical-run warnings), band figures of every training series
// (mean and ±1 sd over the seeds, one band per configuration) and of per-frame
// series, and a table of the points: overrides, seed, status, duration and a
// link to each point's record. Like `kymo report RUN`: no external
// resources, every text escaped (HTMLBuilder), figures inline SVG.
// Default output: report.html in the sweep folder.
// Deliberately not: verdicts or signatures (`kymo runs verify` owns them).

import ArgumentParser
import Foundation
import KymoBase
import Figures
import FiguresCairo
import Records

enum SweepReport {
    /// Writes the page when `reference` names a sweep; false when it does not.
    static func write(reference: String, runs: RunsFolderOption, output: String?) throws -> Bool {
        guard reference.hasPrefix("sweep-") || reference.contains("sweep-") else { return false }
        let found: (store: RunStore, sweep: SweepRecord)?
        do { found = try SweepStore.resolve(reference, in: runs.stores) } catch { throw recordFailure("report", error) }
        guard let (store, sweep) = found else { return false }
        let folder = SweepStore.folder(store, id: sweep.id)
        let target = output ?? folder + "/report.html"
        // `-o -`: links are made relative to the current folder.
        let page = html(sweep, store: store, runsOption: runs.folder,
                        pageFolder: (absolute(target == "-" ? "./report.html" : target) as NSString).deletingLastPathComponent)
        try OutputTarget.write(Array(page.utf8), to: target, command: "report",
                               summary: "(sweep \(sweep.id), \(sweep.points.count) points, \(page.utf8.count) bytes)")
        return true
    }

    static func absolute(_ p: String) -> String {
        let full = p.hasPrefix("/") ? p : FileManager.default.currentDirectoryPath + "/" + p
        return (full as NSString).standardizingPath
    }

    /// `to` relative to the folder `from` (both absolute).
    static func relative(_ to: String, from: String) -> String {
        let a = from.split(separator: "/"), b = to.split(separator: "/")
        var i = 0
        while i < a.count, i < b.count, a[i] == b[i] { i += 1 }
        return (Array(repeating: "..", count: a.count - i) + b[i...].map(String.init)).joined(separator: "/")
    }

    /// The command that makes (or finishes) this sweep again.
    static func command(_ s: SweepRecord, runsOption: String?) -> String {
        (["kymo", "sweep", Sweep.shellQuote(s.notebook.path)]
            + s.axes.flatMap { ["--set", Sweep.shellQuote("\($0.key)=" + $0.values.joined(separator: ","))] }
            + ["--seeds", s.seeds.map(String.init).joined(separator: ","), "--jobs", "\(s.jobs)", "--threads", "\(s.threads)"]
            + (runsOption.map { ["--runs", Sweep.shellQuote($0)] } ?? [])).joined(separator: " ")
    }

    static func html(_ s: SweepRecord, store: RunStore, runsOption: String?, pageFolder: String) -> String {
        var sweep = s
        let verified = SweepStore.reconcile(&sweep, in: store)
        let records = sweep.points.compactMap { verified[$0.index] }
        var body = "<h1>\(HTML.escape(sweep.notebook.path)) <span class=\"status \(HTML.escape(sweep.status))\">\(HTML.escape(sweep.status))</span></h1>\n"
        body += "<p class=\"meta\">sweep <code>\(HTML.escape(sweep.id))</code> · \(sweep.points.count) points, \(records.count) complete and verified · "
            + "notebook SHA-256 \(HTML.escape(String(sweep.notebook.sha256.prefix(12)))) · started \(HTML.escape(sweep.startedAt)) · "
            + "updated \(HTML.escape(sweep.updatedAt))</p>\n"
        body += "<h2>Regenerate</h2>\n<pre>\(HTML.escape(command(sweep, runsOption: runsOption)))</pre>\n"
        body += "<p>Run again, it verifies every complete point's record and runs only what is missing.</p>\n"
        body += comparison(records, sweep: sweep)
        body += figures(records)
        body += points(sweep, verified: verified, store: store, pageFolder: pageFolder)
        let title = "Kymo sweep \(sweep.id) — \(sweep.notebook.path)"
        return HTML.document(title: title, body: body
            + "<p class=\"meta\">Written by kymo report from \(HTML.escape(sweep.id))/sweep.json and its points' records.</p>\n")
    }

    /// The comparison of `kymo runs compare` (with `--by` the first axis that varies), as tables.
    static func comparison(_ records: [RunRecord], sweep: SweepRecord) -> String {
        guard !records.isEmpty else { return "<h2>Comparison</h2>\n<p>No complete point yet.</p>\n" }
        let plain: RunComparison
        do { plain = try RunComparison(records: records) } catch { return "<h2>Comparison</h2>\n<p>\(HTML.escape("\(error)"))</p>\n" }
        let by = sweep.axes.map(\.key).first { plain.keys.contains($0) }
        let c = (by.flatMap { try? RunComparison(records: records, by: $0) }) ?? plain
        let pct = "\(Int((c.level * 100).rounded())) %"
        var out = "<h2>Comparison</h2>\n<p>The last value of each metric series, per configuration: mean ± sample sd (n − 1), n, and the \(pct) t-interval of the mean"
            + " (as <code>kymo runs compare \(HTML.escape(sweep.id))\(by.map { " --by " + HTML.escape($0) } ?? "")</code>).</p>\n"
        for w in c.identicalWarnings { out += "<p class=\"warning\"><strong>\(HTML.escape(w))</strong></p>\n" }
        if !c.perFrame.isEmpty {
            out += "<p>Per-frame series, shown as figures below and not reduced to their last frame: \(HTML.escape(c.perFrame.joined(separator: ", "))).</p>\n"
        }
        let keyHeader = c.keys.isEmpty ? ["configuration"] : c.keys
        for (m, name) in c.metrics.enumerated() {
            var rows = [keyHeader + ["mean ± sd", "n", "\(pct) interval", "seeds"]]
            for conf in c.configurations {
                let keys = c.keys.isEmpty ? ["(all runs)"] : conf.values
                let xs = conf.samples[m]
                guard !xs.isEmpty else { rows.append(keys + ["-", "0", "-", ""]); continue }
                let st = Statistics.summary(xs, level: c.level)
                let ci = st.sd == 0 ? "-" : st.interval.map { "[\(RunComparison.short($0.low)), \(RunComparison.short($0.high))]" } ?? "-"
                rows.append(keys + [RunComparison.short(st.mean) + c.spread(conf, st), "\(st.n)", ci, conf.seeds.map(String.init).joined(separator: ",")])
            }
            out += "<h3>\(HTML.escape(name))</h3>\n" + HTML.table(rows, numericColumns: [keyHeader.count + 1]) + "\n"
        }
        if let by = c.by {
            let adjusted = c.adjustedCount > 1 ? "p-values Holm-adjusted over the \(c.adjustedCount) comparisons" : "one comparison, no adjustment"
            out += "<h3>by \(HTML.escape(by))</h3>\n<p>A − B, its \(pct) interval (unadjusted), the test — <em>paired</em>: the t-test on per-seed differences "
                + "(both groups ran the same seeds on the same data); <em>Welch</em>: unequal variances — and its two-sided p; \(adjusted); * p < "
                + "\(RunComparison.short(1 - c.level)).</p>\n"
            for n in c.designNotes { out += "<p class=\"meta\">\(HTML.escape(n))</p>\n" }
            var rows = [c.keys.filter { $0 != by } + ["metric", "A", "B", "A − B", "\(pct) interval", "test", "t", "df", "p", "p (Holm)", ""]]
            for t in c.tests {
                guard let w = t.test, w.standardError > 0 else {
                    let why = t.test == nil ? "needs n ≥ 2 in both (\(t.na), \(t.nb))" : (t.paired ? "the same difference for every seed" : "no spread in either group")
                    rows.append(t.stratum + [t.metric, t.a, t.b, t.test.map { RunComparison.short($0.difference) } ?? "-", "-",
                                             t.test == nil ? "-" : RunComparison.testName(t), "-", "-", "-", "-", why])
                    continue
                }
                let p = t.adjustedP ?? w.p
                rows.append(t.stratum + [t.metric, t.a, t.b, RunComparison.short(w.difference),
                                         "[\(RunComparison.short(w.low)), \(RunComparison.short(w.high))]", RunComparison.testName(t),
                                         RunComparison.short(w.t), RunComparison.short(w.df), RunComparison.pValue(w.p),
                                         t.adjustedP.map(RunComparison.pValue) ?? "-", p < 1 - c.level ? "*" : ""])
            }
            out += HTML.table(rows) + "\n"
        }
        return out
    }

    /// Band figures: each training series (`trainN.loss`, `trainN.validation`), and per-frame MSE/SSIM, one band per configuration.
    static func figures(_ records: [RunRecord]) -> String {
        guard !records.isEmpty, let c = try? RunComparison(records: records) else { return "" }
        var groups: [(label: String, runs: [RunRecord])] = []
        for conf in c.configurations {
            let label = c.keys.isEmpty ? "all runs" : zip(c.keys, conf.values).map { "\($0)=\(ComparisonDesign.dataValue($1))" }.joined(separator: " ")
            groups.append((label, records.filter { conf.runs.contains($0.id) }))
        }
        var names: [String] = []
        for r in records { for s in r.metrics where s.source == "train" && !names.contains(s.name) && (s.name.hasSuffix(".loss") || s.name.hasSuffix(".validation")) { names.append(s.name) } }
        var out = ""
        var n = 0
        func curve(_ label: String, _ runs: [RunRecord], _ name: String, frames: Bool) -> BandCurve? {
            let series = runs.compactMap { $0.series(named: name) }.filter { $0.values.count > 0 }
            guard !series.isEmpty else { return nil }
            let len = series.map(\.values.count).min()!
            let x = frames ? (1...len).map(Double.init) : series[0].steps.prefix(len).map(Double.init)
            var mean: [Double] = [], low: [Double] = [], high: [Double] = []
            for k in 0..<len {
                let st = Statistics.summary(series.map { $0.values.double(at: k) })
                let sd = st.sd ?? 0
                mean.append(st.mean); low.append(st.mean - sd); high.append(st.mean + sd)
            }
            return try? BandCurve(label: label, x: x, mean: mean, low: low, high: high)
        }
        func svg(_ f: Figure) -> String {
            n += 1
            guard let bytes = try? f.render(as: .svg) else { return "" }
            return "<figure>" + (SVGSanitizer.sanitize(String(decoding: bytes, as: UTF8.self), idPrefix: "f\(n)-") ?? "") + "</figure>\n"
        }
        let seeds = Set(records.map(\.seed)).count
        let band = "±1 sd over \(seeds) seed\(seeds == 1 ? "" : "s")"
        for name in names {
            let curves = groups.compactMap { curve($0.label, $0.runs, name, frames: false) }
            guard !curves.isEmpty, let f = try? BandPlot.loss(groups: curves, band: band, title: name, width: 640, height: 320) else { continue }
            out += svg(f)
        }
        let mseName = c.perFrame.first { $0.lowercased().contains("mse") }, ssimName = c.perFrame.first { $0.lowercased().contains("ssim") }
        if mseName != nil || ssimName != nil {
            let mse = mseName.map { m in groups.compactMap { curve($0.label, $0.runs, m, frames: true) } } ?? []
            let ssim = ssimName.map { m in groups.compactMap { curve($0.label, $0.runs, m, frames: true) } } ?? []
            if let f = try? BandPlot.metrics(mse: mse, ssim: ssim, band: band, title: "per frame", width: 720, height: 300) { out += svg(f) }
        }
        return out.isEmpty ? "" : "<h2>Figures</h2>\n<p>Mean of each configuration with a band of ±1 sample sd over its seeds, from the points' recorded series.</p>\n" + out
    }

    /// Every point: overrides, seed, status, duration, and its record (linked relative to the page).
    static func points(_ s: SweepRecord, verified: [Int: RunRecord], store: RunStore, pageFolder: String) -> String {
        var out = "<h2>Points (\(s.points.count))</h2>\n<table><thead><tr><th>#</th><th>overrides</th><th>seed</th><th>status</th>"
            + "<th>duration</th><th>record</th></tr></thead><tbody>\n"
        for p in s.points {
            let record = verified[p.index] ?? p.run.flatMap { try? RunStore.read(recordAt: store.recordPath($0)) }
            let overrides = p.overrides.isEmpty ? "none" : p.overrides.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            var link = "-"
            if let id = p.run {
                let href = relative(absolute(store.recordPath(id)), from: pageFolder)
                link = "<a href=\"\(HTML.escape(href))\">\(HTML.escape(id))</a>"
            }
            out += "<tr><td class=\"num\">\(p.index)</td><td>\(HTML.escape(overrides))</td><td class=\"num\">\(p.seed)</td>"
                + "<td><span class=\"status \(HTML.escape(p.status.rawValue))\">\(HTML.escape(p.status.rawValue))</span></td>"
                + "<td class=\"num\">\(HTML.escape(record.map(RunListing.duration) ?? "-"))</td><td>\(link)</td></tr>\n"
        }
        return out + "</tbody></table>\n"
    }
}
