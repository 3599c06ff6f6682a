// `kymo run NB.kymo`: check the whole notebook, then run its cells in order,
// printing each cell's title and output; exit non-zero with the diagnostic
// when a cell fails (130 when interrupted).

import ArgumentParser
import Foundation
import Notebook
import TensorEngine

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run every cell of a notebook in order.")

    @Argument(help: "The notebook (.kymo) to run.")
    var notebook: String

    @Option(help: "Root seed (a seed(n) call in the notebook overrides it).")
    var seed: UInt64 = 0

    @Option(name: .customLong("set"), help: "Override a top-level let: --set steps=3 (repeatable).")
    var overrides: [String] = []

    @Option(help: "Worker threads (results never depend on it).")
    var threads: Int?

    func run() throws {
        Engine.configure(threads: threads)
        let console = Console()
        guard let text = try? String(contentsOfFile: notebook, encoding: .utf8) else {
            console.error("kymo run: cannot read '\(notebook)'\n")
            throw ExitCode(2)
        }
        var options = SessionOptions()
        options.seed = seed
        options.overrides = try overrides.map { try Run.parseOverride($0) }
        options.runID = Run.newRunID()
        options.workingDirectory = FileManager.default.currentDirectoryPath
        options.output = console
        options.progress = console
        Interrupts.install(options.interrupt)
        let session = Session(options: options)
        let nb = Notebook(name: notebook, text: text)
        let start = DispatchTime.now().uptimeNanoseconds
        let (results, diagnostics) = session.run(nb, onCellStart: { cell in
            console.write(cell.displayTitle + "\n")
        }, onCellEnd: { result in
            for d in result.diagnostics { console.error(DiagnosticFormatter.render(d)) }
        })
        if !diagnostics.isEmpty {
            console.error(DiagnosticFormatter.render(diagnostics))
            console.error("kymo run: \(diagnostics.count) error\(diagnostics.count == 1 ? "" : "s"); nothing was run\n")
            throw ExitCode(1)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let status = results.contains { $0.status == .interrupted } ? "interrupted"
            : results.contains { $0.status == .failed } ? "failed" : "complete"
        console.write("run \(options.runID): \(status), \(results.filter { $0.status == .ok }.count)/\(results.count) cells in \(String(format: "%.2f", seconds)) s\n")
        if status == "interrupted" { throw ExitCode(130) }
        if status == "failed" { throw ExitCode(1) }
    }

    static func parseOverride(_ s: String) throws -> (key: String, value: String) {
        guard let eq = s.firstIndex(of: "="), eq != s.startIndex else {
            throw ValidationError("--set takes key=value, got '\(s)'")
        }
        return (String(s[..<eq]).trimmingCharacters(in: .whitespaces), String(s[s.index(after: eq)...]))
    }

    /// A run id: UTC time plus four random hex digits (ids only name runs; no result depends on them).
    static func newRunID() -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd-HHmmss"
        return f.string(from: Date()) + "-" + String(format: "%04x", UInt16.random(in: 0...UInt16.max))
    }
}
