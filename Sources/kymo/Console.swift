// Console: where a session's printed output and progress go on this host.
// Printed output goes to standard output; progress, status lines and notes
// to standard error. When standard error is a terminal (and TERM is not
// `dumb`), progress is one live line (steps, detail, rate, time left) cut to
// the terminal's width, redrawn in place and cleared before any other
// output; otherwise it is a plain line at each tenth of the work. `--quiet`
// turns progress and status lines off; a non-zero MPI rank prints nothing.

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

    /// `--quiet`: no progress and no status lines (printed output and errors still show).
    /// Settable, so a host can turn it on after the console exists (an MPI rank other than 0).
    var quiet: Bool

    init(isTerminal: Bool = Console.stderrIsLiveTerminal(), silent: Bool = false, quiet: Bool = false) {
        self.isTerminal = isTerminal && !silent
        self.silent = silent
        self.quiet = quiet
    }

    /// Standard error is a terminal that understands `\r` and `ESC[K` (TERM is not `dumb`).
    static func stderrIsLiveTerminal(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        isatty(STDERR_FILENO) != 0 && environment["TERM"] != "dumb"
    }

    /// The terminal's width in columns: the window size of `fd` (standard
    /// error by default), else `COLUMNS`, else 80.
    static func width(of fd: Int32 = STDERR_FILENO, environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        var size = winsize()
        if ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let c = environment["COLUMNS"].flatMap(Int.init), c > 0 { return c }
        return 80
    }

    /// `line` cut to fit `width` columns without wrapping (one column is left
    /// free: some terminals wrap when the last column is written).
    static func fitted(_ line: String, width: Int) -> String {
        let room = max(width - 1, 1)
        guard line.count > room else { return line }
        return room > 1 ? String(line.prefix(room - 1)) + "…" : String(line.prefix(room))
    }

    /// A table for standard output: on a terminal each line is cut to its
    /// width (never wrapped); piped or redirected, it is left whole.
    static func fittedTable(_ text: String) -> String {
        guard isatty(STDOUT_FILENO) != 0 else { return text }
        let width = Console.width(of: STDOUT_FILENO)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { fitted(String($0), width: width + 1) }
            .joined(separator: "\n")
    }

    /// A status line (`run <id>: complete, …`): standard error, unless `--quiet`.
    func status(_ text: String) {
        if quiet { return }
        error(text)
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
            FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
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
        if quiet || silent { return }
        let (t0, last) = started[title] ?? (Console.now(), -1)
        let elapsed = Console.now() - t0
        if isTerminal {
            let line = Console.fitted(Console.line(title, done, total, detail, elapsed, from: resumedFrom[title] ?? 0), width: Console.width())
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
            liveLine = true
        } else {
            let tenth = total > 0 ? done * 10 / total : 0
            let lastTenth = last < 0 ? -1 : (total > 0 ? last * 10 / total : 0)
            guard tenth > lastTenth else { return }
            error(Console.line(title, done, total, detail, elapsed, from: resumedFrom[title] ?? 0) + "\n")
            started[title] = (t0, done)
        }
    }

    func progressEnded(_ title: String, done: Int, total: Int, detail: String) {
        let (t0, last) = started[title] ?? (Console.now(), -1)
        let elapsed = Console.now() - t0
        started[title] = nil
        if quiet || silent { return }
        let line = Console.line(title, done, total, detail, elapsed, from: resumedFrom[title] ?? 0)
        if isTerminal {
            clearLiveLine()
            error(Console.fitted(line, width: Console.width()) + "\n")
        } else if last != done {
            error(line + "\n")
        }
    }

    /// `train  120/300  40%  loss 0.0213  3.2/s  1m 12s left`
    /// `from`: units finished before this call began (a resumed training call), not counted in the rate.
    static func line(_ title: String, _ done: Int, _ total: Int, _ detail: String, _ elapsed: Double, from: Int = 0) -> String {
        var parts = ["\(title)  \(done)/\(total)"]
        if total > 0 { parts.append("\(done * 100 / total)%") }
        if !detail.isEmpty { parts.append(detail) }
        // A resumed call's rate needs at least two units done since it resumed:
        // training restored at its last step runs one unit in no time (`34191/s`).
        if elapsed > 0, done > from, from == 0 || done - from >= 2 {
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
