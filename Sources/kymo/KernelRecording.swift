// KernelRecording: a kernel session's record, made exactly as a REPL
// session's (ReplRecorder: one cell per input that ran, in the order it ran,
// under `--runs`, default `runs` in the kernel's working directory — the
// notebook's folder when Jupyter starts it), so `kymo replay` re-executes the
// session. If the record can no longer be written, the notebook is told once
// (on stderr) and the session goes on unrecorded.

import Foundation
import KymoLanguage
import Notebook
import Records

final class KernelRecording {
    /// The session's record, kept as a REPL session's is (RecordedRunHost.swift).
    private let recording: ReplRecording

    init(runsFolder: String?, seed: UInt64, workingDirectory: String, display: KernelDisplay) {
        recording = ReplRecording(runsFolder: runsFolder, seed: seed, workingDirectory: workingDirectory,
                                  report: { display.stderr($0) })
    }

    var recorder: ReplRecorder { recording.recorder }
    var id: String { recording.id }

    /// The inputs recorded so far (the record's notebook is made of them).
    private var inputs: [String] = []
    /// The notebook file Jupyter runs this kernel for (nil: not known).
    let notebookPath: String? = ProcessInfo.processInfo.environment["JPY_SESSION_NAME"].flatMap { $0.isEmpty ? nil : $0 }
    /// By cell id: the text it last ran and its execution count.
    private var ran: [String: (source: String, count: Int)] = [:]

    /// The record title of an execution: `In [n] · cell k · edited since In [m]`.
    func title(count: Int, cellID: String?, source: String) -> String {
        var title = "In [\(count)]"
        guard let cellID else { return title }
        if let k = notebookPath.flatMap({ KernelRecording.position(of: cellID, inNotebook: $0) }) { title += " · cell \(k)" }
        if let before = ran[cellID], before.source != source { title += " · edited since In [\(before.count)]" }
        ran[cellID] = (source, count)
        return title
    }

    /// The 1-based position of the cell with `id` in the saved notebook, if found.
    static func position(of id: String, inNotebook path: String) -> Int? {
        guard let data = FileManager.default.contents(atPath: path),
              let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let cells = root["cells"] as? [Any] else { return nil }
        return cells.firstIndex { ($0 as? [String: Any])?["id"] as? String == id }.map { $0 + 1 }
    }

    /// Where `code` stands in the record's notebook once recorded: that text
    /// and its first line, so diagnostics carry the positions a replay gives.
    func placement(of code: String) -> (file: SourceFile, firstLine: Int) {
        let text = ReplRecorder.notebookText(inputs + [code])
        let before = inputs.reduce(0) { $0 + 1 + $1.split(separator: "\n", omittingEmptySubsequences: false).count }
        return (SourceFile(name: "repl", text: text), before + 2)
    }

    /// After a cell ran: records it (cells rejected by the checker did not run and are not recorded).
    func record(_ result: CellResult, session: Session, startedAt: Date, cellID: String?, executionCount: Int) {
        guard result.status != .skipped, result.index < session.results.count else { return }
        let title = title(count: executionCount, cellID: cellID, source: result.source)
        if recording.record(result, session: session, startedAt: startedAt, title: title) { inputs.append(result.source) }
    }

    func finish() { recording.finish() }
}
