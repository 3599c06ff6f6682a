// Console: where a session's printed output and progress go on this host.
// On a terminal, progress is one live line (steps, detail, rate, time left)
// redrawn in place and cleared before any other output; otherwise it is a
// plain line at each tenth of the work. Output is flushed as it comes.

import Foundation
import KymoLanguage
import Notebook
import Records

final class Console: OutputSink, ProgressReporter {
    let isTerminal: Bool
    private var liveLine = false
    private var started: [String: (time: Double, lastPrinted: Int)] = [:]
    /// Units finished before a resumed call began, by title (not counted in rates).
    private var resumedFrom: [String: Int] = [:]

    /// A non-zero rank of an MPI job: prints nothing (rank 0 prints for the job).
    let silent: Bool

    /// Showing a record's text (replay, resume): control and bidi characters
    /// are written escaped (`\u{1b}`), so a record cannot drive the terminal.
    var sanitizing = false

    init(isTerminal: Bool = isatty(STDOUT_FILENO) != 0, silent: Bool = false) {
        self.isTerminal = isTerminal && !silent
        self.silent = silent
    }

    func write(_ text: String) {
        if silent { return }
        clearLiveLine()
        FileHandle.standardOutput.write(Data((sanitizing ? TerminalText.safe(text) : text).utf8))
    }

    /// Diagnostics and notices go to standard error.
    func error(_ text: String) {
        if silent { return }
        clearLiveLine()
        FileHandle.standardError.write(Data((sanitizing ? TerminalText.safe(text) : text).utf8))
    }

    private func clearLiveLine() {
        if liveLine {
            FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8))
            liveLine = false
        }
    }

    private static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    func progressBegan(_ title: String, total: Int) {
        started[title] = (Console.now(), -1)
        resumedFrom[title] = nil
    }

    func progressResumed(_ title: String, from done: Int) {
        resumedFrom[title] = done
    }

    func progressAdvanced(_ title: String, done: Int, total: Int, detail: String) {
        let (t0, last) = started[title] ?? (Console.now(), -1)
        let elapsed = Console.now() - t0
        if isTerminal {
            FileHandle.standardOutput.write(Data(("\r\u{1B}[K" + Console.line(title, done, total, detail, elapsed, from: resumedFrom[title] ?? 0)).utf8))
            liveLine = true
        } else {
            let tenth = total > 0 ? done * 10 / total : 0
            let lastTenth = last < 0 ? -1 : (total > 0 ? last * 10 / total : 0)
            guard tenth > lastTenth else { return }
            write(Console.line(title, done, total, detail, elapsed, from: resumedFrom[title] ?? 0) + "\n")
            started[title] = (t0, done)
        }
    }

    func progressEnded(_ title: String, done: Int, total: Int, detail: String) {
        let (t0, last) = started[title] ?? (Console.now(), -1)
        let elapsed = Console.now() - t0
        started[title] = nil
        if isTerminal {
            clearLiveLine()
            write(Console.line(title, done, total, detail, elapsed, from: resumedFrom[title] ?? 0) + "\n")
        } else if last != done {
            write(Console.line(title, done, total, detail, elapsed, from: resumedFrom[title] ?? 0) + "\n")
        }
    }

    /// `train  120/300  40%  loss 0.0213  3.2/s  1m 12s left`
    /// `from`: units finished before this call began (a resumed training call), not counted in the rate.
    static func line(_ title: String, _ done: Int, _ total: Int, _ detail: String, _ elapsed: Double, from: Int = 0) -> String {
        var parts = ["\(title)  \(done)/\(total)"]
        if total > 0 { parts.append("\(done * 100 / total)%") }
        if !detail.isEmpty { parts.append(detail) }
        if elapsed > 0, done > from {
            let rate = Double(done - from) / elapsed
            parts.append(rate >= 10 ? "\(Int(rate))/s" : String(format: "%.2f/s", rate))
            if total > done { parts.append(duration(Double(total - done) / rate) + " left") }
            else { parts.append(duration(elapsed)) }
        }
        return parts.joined(separator: "  ")
    }

    static func duration(_ s: Double) -> String {
        if s < 60 { return String(format: "%.1fs", s) }
        let m = Int(s) / 60, r = Int(s) % 60
        return m < 60 ? "\(m)m \(r)s" : "\(m / 60)h \(m % 60)m"
    }
}
