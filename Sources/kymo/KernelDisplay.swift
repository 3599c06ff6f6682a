// KernelDisplay: what a kernel session shows in the notebook. Printed text
// goes out as `stream` messages; training progress as one live line (a
// `display_data` with a display_id once the work has lasted a second, then
// `update_display_data` at most four times a second); a value as a MIME bundle: `text/plain` always, `text/html`
// for records and tables (a list of records with the same keys), and a
// figure as `image/svg+xml` plus `image/png`.

import Figures
import FiguresCairo
import Foundation
import KymoLanguage
import Notebook
import Records

/// The session's output sink and progress reporter while a request runs.
final class KernelDisplay: OutputSink, ProgressReporter, FigureDisplay {
    private let iopub: LockedSocket
    private let signer: KernelSigner
    /// The request being answered (the parent of everything published); nil: publish nothing.
    var parent: KernelMessage?
    /// Live progress lines by title: their display id, start, and when last shown (nil: not yet).
    private var live: [String: (id: String, started: Double, shown: Double?)] = [:]

    init(iopub: LockedSocket, signer: KernelSigner) {
        self.iopub = iopub
        self.signer = signer
    }

    func publish(_ type: String, _ content: JSONObject) {
        guard let parent else { return }
        iopub.send(signer.encode(type, content: content, parent: parent, identities: [Data(type.utf8)]))
    }

    func write(_ text: String) {
        publish("stream", ["name": "stdout", "text": text])
    }

    func stderr(_ text: String) {
        publish("stream", ["name": "stderr", "text": text])
    }

    private static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// Work shorter than this shows no progress line at all.
    static let quiet = 1.0

    func progressBegan(_ title: String, total: Int) {
        live[title] = (id: "kymo-progress-" + UUID().uuidString.lowercased(), started: KernelDisplay.now(), shown: nil)
    }

    /// The live line: shown (display_data with its display_id) once the work has
    /// taken a second, then updated in place at most four times a second.
    func progressAdvanced(_ title: String, done: Int, total: Int, detail: String) {
        guard let line = live[title] else { return }
        let now = KernelDisplay.now()
        guard now - line.started >= KernelDisplay.quiet else { return }
        let text = Console.line(title, done, total, detail, now - line.started)
        if let shown = line.shown {
            guard now - shown >= 0.25 else { return }
            update(line.id, text)
        } else {
            publish("display_data", ["data": ["text/plain": text], "metadata": [:] as JSONObject,
                                     "transient": ["display_id": line.id]])
        }
        live[title]?.shown = now
    }

    func progressEnded(_ title: String, done: Int, total: Int, detail: String) {
        guard let line = live[title] else { return }
        live[title] = nil
        if line.shown != nil { update(line.id, Console.line(title, done, total, detail, KernelDisplay.now() - line.started)) }
    }

    private func update(_ id: String, _ line: String) {
        publish("update_display_data", ["data": ["text/plain": line], "metadata": [:] as JSONObject,
                                        "transient": ["display_id": id]])
    }

    /// `fig.show()`: the figure below the cell now, as SVG and PNG.
    func show(_ figure: Figure, what: String) {
        let (data, _) = KernelDisplay.bundle(.host(FigureValue(figure, what: what)))
        publish("display_data", ["data": data, "metadata": [:] as JSONObject, "transient": [:] as JSONObject])
    }

    // MARK: values

    /// A value's MIME bundle and whether it is a figure (shown as display_data).
    static func bundle(_ value: Value) -> (data: JSONObject, isFigure: Bool) {
        var data: JSONObject = ["text/plain": ValueFormatter.display(value)]
        if case .host(let h) = value, let f = h as? FigureValue {
            if let svg = try? f.figure.render(as: .svg) { data["image/svg+xml"] = String(decoding: svg, as: UTF8.self) }
            if let png = try? f.figure.render(as: .png, pngScale: 1) { data["image/png"] = Data(png).base64EncodedString() }
            return (data, true)
        }
        if let html = html(value) { data["text/html"] = html }
        return (data, false)
    }

    /// A record as a two-column table; a list of records with the same keys as a table with a header row.
    static func html(_ value: Value) -> String? {
        func cell(_ v: Value) -> String {
            if case .string(let text) = v { return "<td>" + MarkupText.escape(text) + "</td>" }  // bare, as a table shows it
            return "<td>" + MarkupText.escape(ValueFormatter.inline(v)) + "</td>"
        }
        switch value {
        case .record(let r) where !r.keys.isEmpty:
            let rows = r.keys.map { k in "<tr><th>\(MarkupText.escape(k))</th>" + cell(r[k] ?? .null) + "</tr>" }
            return "<table class=\"kymo-record\">" + rows.joined() + "</table>"
        case .list(let items) where !items.isEmpty:
            var keys: [String]?
            var records: [Record] = []
            for item in items {
                guard case .record(let r) = item, keys == nil || keys! == r.keys else { return nil }
                keys = r.keys
                records.append(r)
            }
            guard let keys, !keys.isEmpty else { return nil }
            let head = "<tr>" + keys.map { "<th>\(MarkupText.escape($0))</th>" }.joined() + "</tr>"
            let body = records.map { r in "<tr>" + keys.map { cell(r[$0] ?? .null) }.joined() + "</tr>" }
            return "<table class=\"kymo-table\">" + head + body.joined() + "</table>"
        default:
            return nil
        }
    }
}
