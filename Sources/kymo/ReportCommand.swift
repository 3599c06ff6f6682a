// `kymo report RUN [-o FILE.html]`: one self-contained HTML page of a run —
// the header (notebook, id, status, seed, overrides, build, environment,
// inputs when the record has them), the replay verdicts written beside the
// record (`replay-*/verdict.json`), the metric series (a small plot and the
// last values), then every cell: title, source, printed output, error, and
// its figures inline (SVG markup, PNG as data URIs) from the run's artifact
// copies, each read under the run folder's path policy and shown only with
// its recorded size and SHA-256 (SVG rewritten by SVGSanitizer). No external
// resources: CSS inline, no scripts (a Content-Security-Policy forbids
// them), no fonts fetched; every string from the record escaped.
// Default output: report.html in the run folder. A sweep (`sweep-<id>`) gets
// its own page (SweepReport.swift).

import ArgumentParser
import Foundation
import KymoBase
import KymoLanguage
import Notebook
import Records

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write one self-contained HTML page of a recorded run.",
        discussion: """
            EXAMPLES:
              kymo report last                       writes runs/<id>/report.html
              kymo report b6daff -o page.html
              kymo report last -o - > page.html      the page on standard output
              kymo report sweep-32b6239f0d8c
            """)

    @Argument(help: ArgumentHelp("The run: an id, a unique part of one, last, last~N, or a run folder; or a sweep (sweep-<id>) for the study's page.", valueName: "run"), completion: RunHandleCompletion.kind)
    var reference: String

    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write the page (default: report.html in the run folder; - for standard output).", valueName: "file"))
    var output: String?

    @OptionGroup var runs: RunsFolderOption

    func run() throws {
        // A study: `kymo report sweep-<id>` (SweepReport.swift).
        if try SweepReport.write(reference: reference, runs: runs, output: output) { return }
        let loaded: (folder: String, record: RunRecord)
        do { loaded = try runs.load(reference) } catch { throw recordFailure("report", error) }
        let (folder, record) = loaded
        let page = ReportPage.html(record, folder: folder)
        let target = output ?? folder + "/report.html"
        let cells = record.cells.count, artifacts = record.artifacts.count
        try OutputTarget.write(Array(page.utf8), to: target, command: "report", summary:
            "(\(cells) cell\(cells == 1 ? "" : "s"), \(artifacts) artifact\(artifacts == 1 ? "" : "s"), \(page.utf8.count) bytes)")
    }
}

enum ReportPage {
    static func html(_ r: RunRecord, folder: String) -> String {
        let doc = NotebookDocument(name: r.notebook.path, text: r.notebook.text)
        var body = "<h1>\(HTML.escape(r.notebook.path)) <span class=\"status \(HTML.escape(r.status.rawValue))\">"
            + "\(HTML.escape(r.status.rawValue))</span></h1>\n"
        body += "<p class=\"meta\">run <code>\(HTML.escape(r.id))</code> · \(HTML.escape(r.kind.rawValue)) · started "
            + "\(HTML.escape(r.startedAt))\(r.endedAt.map { " · ended " + HTML.escape($0) } ?? "") · "
            + "\(HTML.escape(RunListing.duration(r)))</p>\n"
        body += header(r, folder: folder)
        body += inputs(r)
        body += verdicts(folder, record: r)
        body += metrics(r)
        body += "<h2>Cells (\(r.cells.count))</h2>\n"
        for c in r.cells {
            body += cell(c, source: doc.cells.first { $0.index == c.index }?.source, record: r, folder: folder)
        }
        if !r.errors.isEmpty {
            body += "<h2>Errors</h2>\n" + r.errors.map { "<pre class=\"error\">\(HTML.escape($0))</pre>\n" }.joined()
        }
        let title = "Kymo run \(r.id) — \(r.notebook.path)"
        return HTML.document(title: title, body: body
            + "<p class=\"meta\">Written by kymo report from runs/\(HTML.escape(r.id))/record.json.</p>\n")
    }

    static func header(_ r: RunRecord, folder: String? = nil) -> String {
        let e = r.environment
        var rows: [[String]] = [["", ""]]
        rows.append(["notebook", "\(r.notebook.path) (SHA-256 \(r.notebook.sha256.prefix(12)))"])
        rows.append(["run id", r.id])
        rows.append(["status", r.status.rawValue])
        rows.append(["seed", "\(r.seed)"])
        rows.append(["overrides", r.overrides.isEmpty ? "none" : r.overrides.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")])
        rows.append(["build", "kymo \(r.kymo.version), commit \(r.kymo.commit)"])
        rows.append(["environment", "\(e.os); \(e.kernel); \(e.cpuModel) (\(e.cpuCount) CPUs; \(e.cpuFlags.joined(separator: " "))); "
                     + "BLAS \(e.blasConfig), kernel \(e.blasKernel) (environment only: no result goes through it)"])
        rows.append(["numerics", (r.numerics ?? "not recorded (a record from before numerics versions: its bits followed the BLAS kernel)")
                     + (e.gemmPath.map { "; GEMM path \($0) (speed only)" } ?? "")
                     + "; \(e.threads) thread\(e.threads == 1 ? "" : "s"); Swift \(e.swiftVersion)"])
        rows.append(["checked", RecordChecks.text(r, folder: folder)])
        if !r.resumes.isEmpty { rows.append(["resumed", r.resumes.map { "\($0.at) at cell \($0.cell)" }.joined(separator: "; ")]) }
        return "<h2>Run</h2>\n" + HTML.table(rows, classes: "header").replacingOccurrences(of: "<thead><tr><th></th><th></th></tr></thead>", with: "") + "\n"
    }

    /// Files the run read, when the record lists them (`inputs`: path, name,
    /// kind, size, SHA-256, cell), from the record as parsed once and verified.
    static func inputs(_ r: RunRecord) -> String {
        guard let inputs = r.inputs, !inputs.isEmpty else { return "" }
        var rows = [["path", "name", "kind", "size", "sha256", "cell"]]
        for i in inputs { rows.append([i.path, i.name, i.kind, "\(i.size)", i.sha256, "\(i.cell)"]) }
        return "<h2>Inputs (\(inputs.count))</h2>\n" + HTML.table(rows) + "\n"
    }

    static func text(_ v: Any) -> String {
        if let s = v as? String { return s }
        if let n = v as? NSNumber { return n.stringValue }
        if let d = try? JSONSerialization.data(withJSONObject: v, options: [.sortedKeys]) { return String(decoding: d, as: UTF8.self) }
        return "\(v)"
    }

    /// The sealed `replay-*/verdict.json` beside the record that check out
    /// against it (VerdictFile): a hand-written file, an edited one or the
    /// verdict on another version of the record is not shown as a replay but
    /// listed with the reason.
    static func verdicts(_ folder: String, record: RunRecord) -> String {
        var rows: [[String]] = [["replay", "verdict", "summary", "at", "threads", "checked"]]
        var refused: [String] = []
        for (n, c) in VerdictFile.all(in: folder, record: record) {
            switch c {
            case let .valid(v, signer):
                rows.append([n, v.verdict, v.summary, v.at, "\(v.threads)", "sealed for this record" + (signer.map { ", signed by \($0)" } ?? "")])
            case .invalid(let why):
                refused.append("\(n)/verdict.json: \(why)")
            }
        }
        guard rows.count > 1 || !refused.isEmpty else { return "" }
        var out = "<h2>Replays (\(rows.count - 1))</h2>\n"
        if rows.count > 1 {
            var table = HTML.table(rows)
            for verdict in ["identical", "diverged"] {
                table = table.replacingOccurrences(of: "<td>\(verdict)</td>", with: "<td><span class=\"status \(verdict)\">\(verdict)</span></td>")
            }
            out += table + "\n"
        }
        if !refused.isEmpty {
            out += "<p class=\"meta\">Not shown: verdict files that do not check out against this record:</p>\n<ul class=\"refused\">\n"
                + refused.map { "<li>\(HTML.escape($0))</li>\n" }.joined() + "</ul>\n"
        }
        return out
    }

    static func metrics(_ r: RunRecord) -> String {
        guard !r.metrics.isEmpty else { return "" }
        var out = "<h2>Metrics (\(r.metrics.count) series)</h2>\n<table class=\"metrics\"><thead><tr><th>series</th><th>points</th>"
            + "<th>first</th><th>last</th><th>min</th><th>max</th><th>plot</th></tr></thead><tbody>\n"
        for s in r.metrics {
            let v = s.values.doubles
            func f(_ x: Double?) -> String { x.map { NumberText.format($0, ".6g") } ?? "" }
            let finite = v.filter(\.isFinite)
            out += "<tr><td>\(HTML.escape(s.name))</td><td class=\"num\">\(v.count)</td><td class=\"num\">\(f(v.first))</td>"
                + "<td class=\"num\">\(f(v.last))</td><td class=\"num\">\(f(finite.min()))</td><td class=\"num\">\(f(finite.max()))</td>"
                + "<td>\(HTML.sparkline(v))</td></tr>\n"
        }
        return out + "</tbody></table>\n"
    }

    static func cell(_ c: CellRecord, source: String?, record r: RunRecord, folder: String) -> String {
        var out = "<section class=\"cell\" id=\"cell-\(c.index)\">\n"
        out += "<h2>\(HTML.escape(c.displayTitle)) <span class=\"status \(HTML.escape(c.status.rawValue))\">\(HTML.escape(c.status.rawValue))</span>"
            + " <span class=\"meta\">\(HTML.escape(RunListing.seconds(c.duration)))</span></h2>\n"
        if let source { out += "<pre class=\"source\"><code>\(HTML.escape(source))</code></pre>\n" }
        if !c.output.isEmpty { out += "<pre class=\"output\">\(HTML.escape(c.output))</pre>\n" }
        if let e = c.error { out += "<pre class=\"error\">\(HTML.escape(e))</pre>\n" }
        for (k, a) in r.artifacts.enumerated() where a.cell == c.index {
            out += figure(a, number: k, folder: folder)
        }
        return out + "</section>\n"
    }

    static func figure(_ a: ArtifactRecord, number: Int, folder: String) -> String {
        let caption = "<div class=\"caption\">\(HTML.escape(a.path)) · \(a.size) bytes · SHA-256 \(HTML.escape(String(a.sha256.prefix(12))))</div>"
        // The copy is read under the run folder's path policy and must have the recorded size and SHA-256.
        let data: Data
        switch RecordFolderFile.artifact(a, in: folder) {
        case .verified(let d): data = d
        case .absent(let why):
            return "<div class=\"figure\">\(caption) (\(HTML.escape(why)))</div>\n"
        case .refused(let why):
            return "<div class=\"figure refused\">\(caption) not shown: \(HTML.escape(why))</div>\n"
        }
        let ext = (a.path as NSString).pathExtension.lowercased()
        switch ext {
        case "svg":
            guard let svg = SVGSanitizer.sanitize(String(decoding: data, as: UTF8.self), idPrefix: "a\(number)-") else {
                return "<div class=\"figure refused\">\(caption) not shown: not an SVG drawing Kymo can show safely</div>\n"
            }
            return "<div class=\"figure\">\(svg)\(caption)</div>\n"
        case "png":
            guard data.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else {
                return "<div class=\"figure refused\">\(caption) not shown: not a PNG file</div>\n"
            }
            return "<div class=\"figure\"><img alt=\"\(HTML.escape(a.path))\" src=\"\(HTML.dataURI(data, mime: "image/png"))\">\(caption)</div>\n"
        case "pdf":
            guard data.starts(with: Array("%PDF-".utf8)) else {
                return "<div class=\"figure refused\">\(caption) not shown: not a PDF file</div>\n"
            }
            return "<div class=\"figure\"><a download=\"\(HTML.escape((a.path as NSString).lastPathComponent))\" "
                + "href=\"\(HTML.dataURI(data, mime: "application/pdf"))\">\(HTML.escape(a.path)) (PDF)</a>\(caption)</div>\n"
        default:
            return "<div class=\"figure\">\(caption)</div>\n"
        }
    }
}
