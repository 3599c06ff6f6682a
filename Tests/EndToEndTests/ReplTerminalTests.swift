// ReplTerminalTests: the built `kymo` binary driven like a person would —
// through tmux (a real terminal: readline editing, Tab completion, history
// recall, a multi-line `for` block, an error followed by use of an earlier
// variable, Ctrl-C during a long loop and at the prompt, Ctrl-D) — and with
// piped input. Without the binary or tmux: a failure in CI, a skip elsewhere.

import Foundation
import XCTest

final class ReplTerminalTests: XCTestCase {

    static var tmux: String? {
        ["/usr/bin/tmux", "/usr/local/bin/tmux", "/opt/homebrew/bin/tmux"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @discardableResult
    private func shell(_ path: String, _ args: [String], input: String? = nil, capture: Bool = true) throws -> (status: Int32, out: String, err: String) {
        // posix_spawn and waitpid directly: a tmux client must be reaped even
        // though the server it starts lives on, and no pipe may outlive the call.
        let dir = NSTemporaryDirectory() + "kymo-shell-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let inPath = dir + "/in", outPath = dir + "/out", errPath = dir + "/err"
        try (input ?? "").write(toFile: inPath, atomically: true, encoding: .utf8)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, capture ? outPath : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, capture ? errPath : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = ([path] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        // Children start with default signal handling and nothing blocked,
        // whatever the test runner set for itself.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid = pid_t()
        let spawned = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
        guard spawned == 0 else { throw XCTSkip("cannot start \(path): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return (exitCode, out, err)
    }

    func testPipedInput() throws {
        let kymo = try KymoBinary.require()
        let r = try shell(kymo, ["repl"], input: "let xs = [1, 2, 3]\nfor x in xs {\n  print(x * 10)\n}\nnope\nxs.count\n:vars\n:help zeros\n")
        XCTAssertEqual(r.out, "10\n20\n30\n3\nxs  list  [1, 2, 3]\nzeros(shape) → tensor\n  A tensor of zeros.\n")
        XCTAssertTrue(r.err.contains("repl:1:1: error: unknown name 'nope'"), r.err)
        XCTAssertEqual(r.status, 1, "piped input with a failed line exits 1")
        let notebook = NSTemporaryDirectory() + "kymo-load-\(getpid()).kymo"
        try "let loaded = 40\n%% Second\nprint(\"cell two\")\n".write(toFile: notebook, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: notebook) }
        let ok = try shell(kymo, [], input: ":load \(notebook)\nloaded + 2\n:quit\nprint(\"not reached\")\n")
        XCTAssertEqual(ok.out, "%% (untitled)\n%% Second\ncell two\n42\n")
        XCTAssertEqual(ok.status, 0, ok.err)
    }

    /// `--no-record`: no record is written and `run_id()` is empty.
    func testNoRecordKeepsNoRecord() throws {
        let kymo = try KymoBinary.require()
        let runs = FileManager.default.currentDirectoryPath + "/runs"
        let before = (try? FileManager.default.contentsOfDirectory(atPath: runs)) ?? []
        let r = try shell(kymo, ["repl", "--no-record"], input: "print(\"id\", run_id())\n1 + 1\n")
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "id \n2\n")
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: runs)) ?? [], before)
    }

    func testTerminalSession() throws {
        let kymo = try KymoBinary.require()
        guard let tmux = ReplTerminalTests.tmux else { throw KymoBinary.missing("tmux is not installed (scripts/setup.sh installs it)") }
        let socket = "kymo-test-\(getpid())"
        let history = NSTemporaryDirectory() + "kymo-history-\(getpid())"
        try? FileManager.default.removeItem(atPath: history)
        defer {
            _ = try? shell(tmux, ["-L", socket, "kill-server"], capture: false)
            try? FileManager.default.removeItem(atPath: history)
        }
        // The MNIST digits, for Ctrl-C during training: the repository's data/ or the user data folder (kymo data fetch).
        let found = KymoBinary.digitsFolderIfPresent
        if found == nil && KymoBinary.inCI { _ = try KymoBinary.digitsFolder() }   // an error in CI, naming the folders searched
        let data = found ?? KymoBinary.digitsFolders[0]
        let haveDigits = found != nil
        try shell(tmux, ["-L", socket, "new-session", "-d", "-s", "k", "-x", "120", "-y", "50",
                         "env KYMO_HISTORY=\(history) KYMO_DATA=\(data) TERM=xterm \(kymo) repl; sleep 30"], capture: false)
        func screen() throws -> String { try shell(tmux, ["-L", socket, "capture-pane", "-p", "-t", "k", "-S", "-200"]).out }
        func keys(_ k: String...) throws { try shell(tmux, ["-L", socket, "send-keys", "-t", "k"] + k, capture: false) }
        // `wholeLine`: a screen line that is exactly `text` (a value such as
        // "103" also occurs inside the banner's run id, which holds the time).
        func waitFor(_ text: String, count: Int = 1, wholeLine: Bool = false, _ line: UInt = #line) throws {
            // A hang guard, not a timing: a loaded machine may take long to start or generate data.
            let deadline = Date().addingTimeInterval(180)
            var s = ""
            while Date() < deadline {
                s = try screen()
                let found = wholeLine ? s.split(separator: "\n").filter { $0.trimmingCharacters(in: .whitespaces) == text }.count
                                      : s.components(separatedBy: text).count - 1
                if found >= count { return }
                usleep(50_000)
            }
            let err = try shell(tmux, ["-L", socket, "capture-pane", "-p", "-t", "k"]).err
            XCTFail("timed out waiting for \(count)× '\(text)'; screen:\n\(s)\n\(err)", line: line)
            throw XCTSkip("aborting after a timeout")
        }

        try waitFor("kymo>")
        // A multi-line for block with continuation prompts.
        try keys("let xs = [1, 2, 3]", "Enter")
        try keys("for x in xs {", "Enter")
        try waitFor("  ...")
        try keys("print(x * 10)", "Enter", "}", "Enter")
        try waitFor("30", wholeLine: true)
        // An error, then an earlier variable still works.
        try keys("undefined_name", "Enter")
        try waitFor("unknown name 'undefined_name'")
        try keys("xs.count + 100", "Enter")
        try waitFor("103", wholeLine: true)
        // Tab completion of a built-in and of a record field.
        try keys("let cfg = {hidden: 32}", "Enter")
        try keys("pri", "Tab")
        try waitFor("kymo> print")
        try keys("(cfg.hid", "Tab")
        try waitFor("print(cfg.hidden")
        try keys(" + 1)", "Enter")
        try waitFor("33", wholeLine: true)
        // History recall: Up brings back the last line.
        try keys("Up", "Enter")
        try waitFor("33", count: 2, wholeLine: true)
        // Ctrl-C during a long loop stops it; the session keeps its state.
        try keys("var n = 0", "Enter")
        // The loop announces that it runs (the echoed line shows "loop" + "ing",
        // only the running loop prints "looping"); Ctrl-C comes after that.
        try keys("for i in 0..<1000000000 { if i == 1 { print(\"loop\" + \"ing\") }; n += 1 }", "Enter")
        try waitFor("looping")
        try keys("C-c")
        try waitFor("error: interrupted")
        try keys("n > 0 and xs.count == 3", "Enter")
        try waitFor("true")
        // Ctrl-C during a training call stops it at a step boundary; the model
        // and the session stay usable.
        if haveDigits {
            try keys("let d = moving_mnist(train: 64, test: 8, frames: 20, size: 64)", "Enter")
            try keys("let m = convlstm(layers: 1, hidden: 8, size: 64, patch: 4)", "Enter")
            try keys("let h = train(m, d.train, steps: 100000, batch: 2)", "Enter")
            try waitFor("train ConvLSTM")   // training has begun: it stops at the next step boundary, whichever that is
            try keys("C-c")
            try waitFor("training stopped at step")
            try keys("m.count > 0 and xs.count == 3", "Enter")
            try waitFor("true", count: 2)
        }
        // Ctrl-C at the prompt clears the line.
        try keys("garbage text", "C-c")
        try waitFor("^C")
        try keys("7 * 6", "Enter")
        try waitFor("42", wholeLine: true)
        // Ctrl-D leaves; the history file was written.
        try keys("C-d")
        let deadline = Date().addingTimeInterval(120)   // a hang guard: the history is written on exit
        while Date() < deadline, (try? String(contentsOfFile: history, encoding: .utf8))?.contains("7 * 6") != true { usleep(50_000) }
        let saved = (try? String(contentsOfFile: history, encoding: .utf8)) ?? ""
        XCTAssertTrue(saved.contains("for x in xs {"), saved)
        XCTAssertTrue(saved.contains("7 * 6"), saved)
    }

    /// The issue-36 REPL in a real terminal: the banner names the record
    /// folder; Tab completes `:lo`, a file name after `:load` and `steps:`
    /// inside `train(`; a pasted three-cell notebook runs cell by cell; a
    /// multi-line function is one history entry that Up recalls whole; two
    /// sessions at once (one `--no-record`) both keep their history.
    func testTerminalPasteCompletionAndSharedHistory() throws {
        let kymo = try KymoBinary.require()
        guard let tmux = ReplTerminalTests.tmux else { throw KymoBinary.missing("tmux is not installed (scripts/setup.sh installs it)") }
        let socket = "kymo-test36-\(getpid())"
        let dir = NSTemporaryDirectory() + "kymo-repl36-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let history = dir + "/history"
        defer {
            _ = try? shell(tmux, ["-L", socket, "kill-server"], capture: false)
            try? FileManager.default.removeItem(atPath: dir)
        }
        try "print(\"loaded\", 6 * 7)\n".write(toFile: dir + "/tiny_nb.kymo", atomically: true, encoding: .utf8)
        let command = "cd \(dir) && env KYMO_HISTORY=\(history) TERM=xterm \(kymo) repl"
        try shell(tmux, ["-L", socket, "new-session", "-d", "-s", "a", "-x", "120", "-y", "50", command + "; sleep 30"], capture: false)
        try shell(tmux, ["-L", socket, "new-session", "-d", "-s", "b", "-x", "120", "-y", "50", command + " --no-record; sleep 30"], capture: false)
        func screen(_ s: String) throws -> String { try shell(tmux, ["-L", socket, "capture-pane", "-p", "-t", s, "-S", "-200"]).out }
        func keys(_ s: String, _ k: String...) throws { try shell(tmux, ["-L", socket, "send-keys", "-t", s] + k, capture: false) }
        // `wholeLine`: a screen line that is exactly `text` (a value such as
        // "100" also occurs inside the banner's run id, which holds the time).
        func waitFor(_ s: String, _ text: String, count: Int = 1, wholeLine: Bool = false, _ line: UInt = #line) throws {
            let deadline = Date().addingTimeInterval(120)   // a hang guard, not a timing
            var shown = ""
            while Date() < deadline {
                shown = try screen(s)
                let found = wholeLine ? shown.split(separator: "\n").filter { $0.trimmingCharacters(in: .whitespaces) == text }.count
                                      : shown.components(separatedBy: text).count - 1
                if found >= count { return }
                usleep(50_000)
            }
            XCTFail("timed out waiting for \(count)× '\(text)' in session \(s); screen:\n\(shown)", line: line)
            throw XCTSkip("aborting after a timeout")
        }

        // The banners: where the session is recorded, or that it is not.
        try waitFor("a", "recording this session in runs/")
        try waitFor("b", "not recording this session (--no-record)")
        // Completion: `:lo` → `:load`, then a file name, then it runs.
        try keys("a", ":lo", "Tab")
        try waitFor("a", "kymo> :load")
        try keys("a", " tiny", "Tab")
        try waitFor("a", ":load tiny_nb.kymo")
        try keys("a", "Enter")
        try waitFor("a", "loaded 42")
        // Argument labels inside a built-in call.
        try keys("a", "train(1, 2, st", "Tab")
        try waitFor("a", "train(1, 2, steps:")
        try keys("a", "C-c")
        try waitFor("a", "^C")
        // A multi-line function: one history entry, recalled whole by Up.
        try keys("a", "fn g(a) {", "Enter", "return a + 1", "Enter", "}", "Enter")
        try keys("a", "g(99)", "Enter")
        try waitFor("a", "100", wholeLine: true)
        try keys("a", "Up", "Up")
        try waitFor("a", "return a + 1", count: 2)
        try keys("a", "Enter")
        try keys("a", "g(199)", "Enter")
        try waitFor("a", "200", wholeLine: true)
        // A pasted three-cell notebook (bracketed paste) runs cell by cell.
        try shell(tmux, ["-L", socket, "set-buffer", "-b", "nb", "%% One\nlet p = 20\n%% Two\nlet q = p + 1\n%% Three\nprint(\"pasted\", q * 2)"], capture: false)
        try shell(tmux, ["-L", socket, "paste-buffer", "-p", "-b", "nb", "-t", "a"], capture: false)
        try keys("a", "Enter")
        try waitFor("a", "pasted 42")
        let afterPaste = try screen("a")
        XCTAssertFalse(afterPaste.contains("expected an expression"), afterPaste)
        // The other session's lines, then both leave.
        try keys("b", "let beta = 2", "Enter")
        try keys("b", "beta * 21", "Enter")
        try waitFor("b", "42", wholeLine: true)
        try keys("a", "let alpha = 1", "Enter")
        try keys("b", "C-d")
        try waitFor("b", "session not recorded (--no-record)")
        try keys("a", "C-d")
        try waitFor("a", "session recorded in runs/")
        // Both sessions' inputs are in the history file; the function is one entry.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, (try? String(contentsOfFile: history, encoding: .utf8))?.contains("let alpha = 1") != true { usleep(50_000) }
        let saved = (try? String(contentsOfFile: history, encoding: .utf8)) ?? ""
        var entries: [String] = []
        for line in saved.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("#"), line.dropFirst().allSatisfy(\.isNumber) { entries.append("") } else if !entries.isEmpty {
                entries[entries.count - 1] += (entries[entries.count - 1].isEmpty ? "" : "\n") + line
            }
        }
        entries = entries.map { $0.trimmingCharacters(in: .newlines) }
        XCTAssertTrue(entries.contains("fn g(a) {\nreturn a + 1\n}"), "\(entries)")
        XCTAssertTrue(entries.contains("let beta = 2"), "\(entries)")
        XCTAssertTrue(entries.contains("let alpha = 1"), "\(entries)")
        XCTAssertTrue(entries.contains(":load tiny_nb.kymo"), "\(entries)")
        XCTAssertFalse(entries.contains("}"), "a multi-line input was stored line by line: \(entries)")
    }

    /// `kymo run` in a 40-column terminal: the live progress line is cut to
    /// the width and redrawn in place, so 60 updates leave one line, not a
    /// stack of wrapped fragments; with TERM=dumb the same run prints plain lines.
    func testLiveProgressFitsANarrowTerminal() throws {
        let kymo = try KymoBinary.require()
        guard let tmux = ReplTerminalTests.tmux else { throw KymoBinary.missing("tmux is not installed (scripts/setup.sh installs it)") }
        let data = try KymoBinary.digitsFolder()
        let socket = "kymo-test36w-\(getpid())"
        let dir = NSTemporaryDirectory() + "kymo-width-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer {
            _ = try? shell(tmux, ["-L", socket, "kill-server"], capture: false)
            try? FileManager.default.removeItem(atPath: dir)
        }
        try """
        seed(1)
        let data = moving_mnist(train: 4, test: 2, frames: 4, size: 32)
        let m = convlstm(layers: 1, hidden: 4, kernel: 3, size: 32, patch: 4, frames_in: 2, frames_out: 2)
        let h = train(m, data.train, steps: 60, batch: 2, lr: 0.01)
        print("trained", h.loss.count)
        """.write(toFile: dir + "/train.kymo", atomically: true, encoding: .utf8)
        func run(_ session: String, term: String) throws -> String {
            try shell(tmux, ["-L", socket, "new-session", "-d", "-s", session, "-x", "40", "-y", "30",
                             "cd \(dir) && env KYMO_DATA=\(data) TERM=\(term) \(kymo) run train.kymo --threads 1; echo done-\(session); sleep 30"],
                      capture: false)
            let deadline = Date().addingTimeInterval(180)   // a hang guard, not a timing
            var screen = ""
            while Date() < deadline {
                screen = try shell(tmux, ["-L", socket, "capture-pane", "-p", "-t", session, "-S", "-100"]).out
                if screen.contains("done-\(session)") { return screen }
                usleep(100_000)
            }
            XCTFail("kymo run did not finish; screen:\n\(screen)")
            throw XCTSkip("aborting after a timeout")
        }
        let live = try run("live", term: "xterm")
        let lines = live.split(separator: "\n")
        XCTAssertEqual(lines.filter { $0.hasPrefix("train ConvLSTM") }.count, 1, live)
        XCTAssertFalse(live.contains(" left"), "a stale wrapped fragment of a live line is left: \(live)")
        XCTAssertTrue(live.contains("trained 60"), live)
        let dumb = try run("dumb", term: "dumb")
        XCTAssertGreaterThanOrEqual(dumb.split(separator: "\n").filter { $0.hasPrefix("train ConvLSTM") }.count, 10, dumb)
    }
}
