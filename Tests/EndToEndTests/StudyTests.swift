// StudyTests: the studies of issue 32 end to end through the built `kymo` —
// a training call interrupted with Ctrl-C in a REPL under tmux (and with
// SIGINT under `kymo run`) binds its partial history and replays `identical`;
// a sequence file saved by numpy in a layout Kymo would have to guess is
// refused with the call to make instead; a notebook that pins its seed is
// refused by `--seed` and `--seeds`, and runs that are bit-identical are
// flagged by `runs compare`, whose CSV Python's `csv` module reads back as data.

import Foundation
import XCTest
import Records
import TestSupport

final class StudyTests: KymoTestCase {
    /// The folder holding the 5,000 MNIST digits (the repository's data/ or the user data folder).
    static func digitsFolder() throws -> String { try KymoBinary.digitsFolder() }

    /// Runs a shell command line to its end (python3 calls).
    @discardableResult
    func sh(_ line: String) throws -> (status: Int32, out: String, err: String) {
        try KymoBinary.execute("/bin/sh", ["-c", line], in: dir)
    }

    /// Runs `path args` with posix_spawn and waits for it; standard output
    /// through a file. A tmux client must be reaped although the server it
    /// starts lives on, and no pipe may outlive the call (as ReplTerminalTests).
    @discardableResult
    func spawn(_ path: String, _ args: [String]) throws -> String {
        let outPath = NSTemporaryDirectory() + "kymo-study-out-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: outPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([path] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
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
        guard posix_spawn(&pid, path, &actions, &attributes, argv, environ) == 0 else { throw XCTSkip("cannot start \(path)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        return (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    }

    static var tmux: String? {
        ["/usr/bin/tmux", "/usr/local/bin/tmux"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The issue's REPL session: `let h = train(…)`, Ctrl-C after a moment,
    /// `h` is bound (its history up to the step, marked interrupted), and the
    /// session's record replays `identical` — the replay stops the call at the
    /// recorded step and then runs the inputs that came after it.
    func testReplInterruptedTrainingBindsItsHistoryAndReplaysIdentical() throws {
        guard let tmux = Self.tmux else { throw KymoBinary.missing("tmux is not installed (scripts/setup.sh installs it)") }
        let data = try Self.digitsFolder()
        let socket = "kymo-study-\(getpid())"
        defer { _ = try? spawn(tmux, ["-L", socket, "kill-server"]) }
        try spawn(tmux, ["-L", socket, "new-session", "-d", "-s", "k", "-x", "150", "-y", "50",
                         "cd \(dir!) && env KYMO_DATA=\(data) KYMO_HISTORY=\(dir!)/history TERM=xterm \(binary!) repl; sleep 30"])
        func screen() throws -> String { try spawn(tmux, ["-L", socket, "capture-pane", "-p", "-t", "k", "-S", "-300"]) }
        func keys(_ k: String...) throws { try spawn(tmux, ["-L", socket, "send-keys", "-t", "k"] + k) }
        func waitFor(_ text: String, count: Int = 1, seconds: Double = 60, _ line: UInt = #line) throws {
            let deadline = Date().addingTimeInterval(seconds)
            var s = ""
            while Date() < deadline {
                s = try screen()
                if s.components(separatedBy: text).count - 1 >= count { return }
                usleep(100_000)
            }
            XCTFail("timed out waiting for \(count)× '\(text)'; screen:\n\(s)", line: line)
            throw XCTSkip("aborting after a timeout")
        }
        try waitFor("kymo>")
        try keys("let d = moving_mnist(train: 64, test: 8, frames: 6, size: 32)", "Enter")
        try keys("let m = convlstm(layers: 1, hidden: 4, size: 32, patch: 4, frames_in: 3, frames_out: 3)", "Enter")
        try keys("let h = train(m, d.train, steps: 100000, batch: 2, lr: 0.001)", "Enter")
        try waitFor("train ConvLSTM")
        usleep(1_500_000)
        try keys("C-c")
        try waitFor("training stopped at step")
        try waitFor("error: interrupted during training at step")
        try keys("print(h.status, len(h.loss) == h.steps[len(h.steps) - 1], len(h.loss) > 0)", "Enter")
        try waitFor("interrupted true true")
        try keys("print(\"after\", len(h.loss) < 100000)", "Enter")
        try waitFor("after true")
        try keys("C-d")
        let store = RunStore(folder: dir + "/runs")
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, (try? store.runIDs().first.map { try store.load($0).record.status }) != .complete { usleep(100_000) }
        let id = try XCTUnwrap(store.runIDs().first)
        let record = try store.load(id).record
        XCTAssertEqual(record.kind, .repl)
        let cell = try XCTUnwrap(record.cells.first { $0.status == .interrupted }, "an interrupted input in \(record.cells.map(\.status))")
        let stepText = try XCTUnwrap(cell.error?.components(separatedBy: "at step ").last?.prefix { $0.isNumber })
        let step = try XCTUnwrap(Int(stepText))
        XCTAssertGreaterThan(step, 0)
        XCTAssertEqual(record.series(named: "train1.loss")?.steps.last, step, "the record keeps the history up to the step")
        XCTAssertTrue(cell.values.contains { $0.name == "h" && $0.type == "history" }, "h is bound: \(cell.values)")
        XCTAssertEqual(record.cells.count, 5)
        let replay = try kymo(["replay", id, "--threads", "1"], environment: ["KYMO_DATA": data])
        XCTAssertEqual(replay.out.split(separator: "\n").first, "identical", replay.out + replay.err)
        XCTAssertEqual(replay.status, 0)
        XCTAssertTrue(replay.out.contains("compared 5 cells"), replay.out)
    }

    /// The same under `kymo run` with SIGINT: exit 130, an interrupted record
    /// whose replay stops the call at the recorded step and says `identical`.
    func testRunInterruptedDuringTrainingReplaysIdentical() throws {
        let data = try Self.digitsFolder()
        try """
        %% Data
        seed()
        let d = moving_mnist(train: 32, test: 4, frames: 4, size: 32)
        let m = convlstm(layers: 1, hidden: 4, kernel: 3, size: 32, patch: 4, frames_in: 2, frames_out: 2)
        %% Train
        let h = train(m, d.train, steps: 10000000, batch: 2, lr: 0.001)
        print("not reached", h.status)
        %% After
        print(len(h.loss))
        """.write(toFile: dir + "/nb.kymo", atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["run", "nb.kymo", "--threads", "1"]
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        // Checkpoints every half second (the default is one a minute): on a fast
        // CPU this tiny model trains thousands of steps a second, and the test
        // must interrupt it mid-call, after a checkpoint has put its series in the record.
        p.environment = ProcessInfo.processInfo.environment.merging(["KYMO_DATA": data, "KYMO_CHECKPOINT_SECONDS": "0.5"]) { $1 }
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Interrupt once training has saved a checkpoint (its series is in the record).
        let store = RunStore(folder: dir + "/runs")
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, p.isRunning {
            if let id = store.runIDs().first, let r = try? store.load(id).record, (r.series(named: "train1.loss")?.values.count ?? 0) > 0 { break }
            usleep(50_000)
        }
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 130)
        let id = try XCTUnwrap(store.runIDs().first)
        let r = try store.load(id).record
        XCTAssertEqual(r.status, .interrupted)
        XCTAssertEqual(r.cells[1].status, .interrupted)
        let step = try XCTUnwrap(r.series(named: "train1.loss")?.steps.last)
        XCTAssertTrue(r.cells[1].output.contains("training stopped at step \(step) of 10000000 (interrupted)"), r.cells[1].output)
        XCTAssertTrue(r.cells[1].error?.contains("interrupted during training at step \(step)") == true, r.cells[1].error ?? "")
        XCTAssertFalse(r.cells[1].output.contains("not reached"))
        let replay = try kymo(["replay", id, "--threads", "1"], environment: ["KYMO_DATA": data])
        XCTAssertEqual(replay.out.split(separator: "\n").first, "identical", replay.out + replay.err)
    }

    /// The issue's files: numpy's (16, 12, 1, 64, 64) — N, T, C, H, W — and a
    /// sequence-major uint8 (100, 20, 64, 64) are refused by load_moving_mnist
    /// with the file, its shape and the load_sequences call; the standard
    /// layout loads and says which layout it was read with.
    func testLoadMovingMNISTRefusesWhatItWouldHaveToGuess() throws {
        let numpy = try sh("python3 -c 'import numpy'")
        guard numpy.status == 0 else { throw KymoBinary.missing("python3 with numpy (pip install numpy)") }
        let made = try sh("""
        python3 -c 'import numpy as np
        np.save("mine.npy", np.zeros((16, 12, 1, 64, 64), dtype=np.float32))
        np.save("seqmajor.npy", np.zeros((100, 20, 64, 64), dtype=np.uint8))
        np.save("standard.npy", np.zeros((20, 30, 64, 64), dtype=np.uint8))'
        """)
        XCTAssertEqual(made.status, 0, made.err)
        for (file, shape, layout) in [("mine.npy", "[16, 12, 1, 64, 64]", "NTCHW"), ("seqmajor.npy", "[100, 20, 64, 64]", "NTHW")] {
            try "let d = load_moving_mnist(\"\(file)\")\nprint(d)\n".write(toFile: dir + "/nb.kymo", atomically: true, encoding: .utf8)
            let r = try kymo(["run", "nb.kymo"])
            XCTAssertEqual(r.status, 1, r.out + r.err)
            XCTAssertTrue(r.err.contains(file + ": shape " + shape), r.err)
            XCTAssertTrue(r.err.contains("load_sequences(\"\(file)\", layout: \"\(layout)\")"), r.err)
        }
        try "let d = load_moving_mnist(\"standard.npy\")\nprint(d)\n".write(toFile: dir + "/nb.kymo", atomically: true, encoding: .utf8)
        let ok = try kymo(["run", "nb.kymo"])
        XCTAssertEqual(ok.status, 0, ok.err)
        XCTAssertTrue(ok.out.contains("read frame-major [T, N, H, W] = [20, 30, 64, 64]: 30 sequences of 20 frames"), ok.out)
        let store = RunStore(folder: dir + "/runs")
        let records = try store.runIDs().map { try store.load($0).record }
        let record = try XCTUnwrap(records.first { $0.status == .complete }, "\(records.map(\.status))")
        XCTAssertTrue(record.cells[0].output.contains("frame-major [T, N, H, W]"), "the record keeps the layout")
    }

    /// The quickstart as a new user copied it before (`seed(7)`): `--seeds`
    /// and `--seed` are refused naming the line; two runs of it are flagged as
    /// identical by `runs compare`, which never prints "± 0".
    func testPinnedSeedIsRefusedAndIdenticalRunsAreFlagged() throws {
        try """
        let steps = 2
        %% Data
        seed(7)
        let x = randn([4]).sum().item()
        log("y", x + steps)
        """.write(toFile: dir + "/pinned.kymo", atomically: true, encoding: .utf8)
        let sweep = try kymo(["sweep", "pinned.kymo", "--set", "steps=2", "--seeds", "1,2", "--jobs", "2", "--threads", "1"])
        XCTAssertEqual(sweep.status, 2, sweep.out + sweep.err)
        XCTAssertTrue(sweep.err.contains("pinned.kymo:3:1: error: `seed(7)` pins the root seed, so --seeds 1,2 would change nothing"), sweep.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/runs"), "nothing ran")
        let run = try kymo(["run", "pinned.kymo", "--seed", "3"])
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.err.contains("pinned.kymo:3:1: error: `seed(7)` pins the root seed, so --seed 3 would change nothing; write seed() there"), run.err)
        // Without --seed it runs (seed 0); twice gives two identical runs.
        XCTAssertEqual(try kymo(["run", "pinned.kymo"]).status, 0)
        XCTAssertEqual(try kymo(["run", "pinned.kymo"]).status, 0)
        let ids = RunStore(folder: dir + "/runs").runIDs()
        XCTAssertEqual(ids.count, 2)
        let c = try kymo(["runs", "compare"] + ids)
        XCTAssertEqual(c.status, 0, c.err)
        XCTAssertTrue(c.out.contains("warning: (all runs): 2 runs, all identical"), c.out)
        XCTAssertTrue(c.out.contains("(all 2 runs identical)"), c.out)
        XCTAssertFalse(c.out.contains("± 0 "), c.out)
        XCTAssertFalse(c.out.contains("± 0\n"), c.out)

        // seed() takes the run's seed: a seed sweep varies.
        try String(contentsOfFile: dir + "/pinned.kymo", encoding: .utf8).replacingOccurrences(of: "seed(7)", with: "seed()")
            .write(toFile: dir + "/free.kymo", atomically: true, encoding: .utf8)
        let free = try kymo(["sweep", "free.kymo", "--seeds", "1,2", "--jobs", "2", "--threads", "1"])
        XCTAssertEqual(free.status, 0, free.out + free.err)
        let sweepID = try XCTUnwrap(free.out.split(separator: "\n").last { $0.hasPrefix("sweep ") }?.dropFirst(6).prefix { $0 != ":" })
        let fc = try kymo(["runs", "compare", String(sweepID)])
        XCTAssertFalse(fc.out.contains("identical"), fc.out)
        XCTAssertTrue(fc.out.contains(" ± "), fc.out)
    }

    /// `--csv` writes values as data: Python's csv module reads `sa`, not `"sa"`;
    /// the comparison of two families over the same seeds is paired and says so.
    func testCompareCSVIsDataAndSameSeedsArePaired() throws {
        try """
        let family = "convlstm"
        %% Draw
        seed()
        let x = randn([4]).sum().item()
        var shift = 0.0
        if family == "sa" {
          shift = 0.25
        }
        log("y", x + shift + randn([1]).sum().item() * 0.01)
        for v in [1.0, 2.0, x] { log("mse_per_frame", v) }
        """.write(toFile: dir + "/nb.kymo", atomically: true, encoding: .utf8)
        let s = try kymo(["sweep", "nb.kymo", "--set", "family=\"convlstm\",\"sa\"", "--seeds", "1,2,3", "--jobs", "2", "--threads", "1"])
        XCTAssertEqual(s.status, 0, s.out + s.err)
        let id = String(try XCTUnwrap(s.out.split(separator: "\n").last { $0.hasPrefix("sweep ") }?.dropFirst(6).prefix { $0 != ":" }))
        let t = try kymo(["runs", "compare", id, "--by", "family"])
        XCTAssertEqual(t.status, 0, t.err)
        XCTAssertTrue(t.out.contains("paired t-test on per-seed differences"), t.out)
        XCTAssertTrue(t.out.contains("per-frame series left out"), t.out)
        XCTAssertFalse(t.out.contains("\nmse_per_frame\n"), t.out)
        let csv = try kymo(["runs", "compare", id, "--by", "family", "--csv"])
        XCTAssertEqual(csv.status, 0, csv.err)
        try csv.out.write(toFile: dir + "/c.csv", atomically: true, encoding: .utf8)
        let py = try sh("""
        python3 -c 'import csv
        rows = list(csv.reader(open("c.csv")))
        head = rows[0]
        print(sorted({r[head.index("family")] for r in rows[1:] if r and r[0] != "metric" and len(r) == len(head)}))
        i = [k for k, r in enumerate(rows) if r and r[0] == "metric"][0]
        t = dict(zip(rows[i], rows[i + 1]))
        print(t["a"], t["b"], t["test"])'
        """)
        XCTAssertEqual(py.status, 0, py.err)
        XCTAssertEqual(py.out, "['convlstm', 'sa']\nconvlstm sa paired\n")
        // JSON too: overrides and groups as data, the test and the Holm column named.
        let json = try kymo(["runs", "compare", id, "--by", "family", "--json"])
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        let configs = try XCTUnwrap(doc["configurations"] as? [[String: Any]])
        XCTAssertEqual(configs.compactMap { ($0["overrides"] as? [String: Any])?["family"] as? String }, ["convlstm", "sa"])
        let comparison = try XCTUnwrap((doc["comparisons"] as? [[String: Any]])?.first)
        XCTAssertEqual(comparison["a"] as? String, "convlstm")
        XCTAssertEqual(comparison["test"] as? String, "paired")
        XCTAssertEqual(doc["per_frame_left_out"] as? [String], ["mse_per_frame"])
    }

    /// `kymo report sweep-<id>`: one self-contained page — the command that
    /// regenerates the sweep, the comparison with intervals and the paired test,
    /// band figures, every point with its overrides, seed, status, duration and
    /// a link to its record — which headless Chromium loads and renders.
    func testSweepReportIsOneSelfContainedPageThatABrowserRenders() throws {
        let data = try Self.digitsFolder()
        try """
        let family = "convlstm"
        %% Train
        seed()
        let d = moving_mnist(train: 16, test: 4, frames: 4, size: 32)
        var m = convlstm(layers: 1, hidden: 4, kernel: 3, size: 32, patch: 4, frames_in: 2, frames_out: 2)
        if family == "sam" {
          m = sam_convlstm(layers: 1, hidden: 4, kernel: 3, size: 32, patch: 4, frames_in: 2, frames_out: 2, attention_hidden: 2)
        }
        let h = train(m, d.train, steps: 6, batch: 2, lr: 0.01, validate: d.test, every: 2)
        %% Evaluate
        let r = evaluate(m, d.test)
        log("mse", r.mse)
        for v in r.mse_per_frame { log("mse_per_frame", v) }
        for v in r.ssim_per_frame { log("ssim_per_frame", v) }
        """.write(toFile: dir + "/nb.kymo", atomically: true, encoding: .utf8)
        let env = ["KYMO_DATA": data]
        let s = try kymo(["sweep", "nb.kymo", "--set", "family=\"convlstm\",\"sam\"", "--seeds", "1,2", "--jobs", "2", "--threads", "1"], environment: env)
        XCTAssertEqual(s.status, 0, s.out + s.err)
        let id = String(try XCTUnwrap(s.out.split(separator: "\n").last { $0.hasPrefix("sweep ") }?.dropFirst(6).prefix { $0 != ":" }))
        var r = try kymo(["report", id, "-o", "study.html"])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        let html = try String(contentsOfFile: dir + "/study.html", encoding: .utf8)
        XCTAssertTrue(html.contains("<title>Kymo sweep \(id) — nb.kymo</title>"))
        XCTAssertTrue(html.contains("<pre>kymo sweep nb.kymo --set &#39;family=&quot;convlstm&quot;,&quot;sam&quot;&#39; --seeds 1,2 --jobs 2 --threads 1</pre>"), html)
        XCTAssertTrue(html.contains("<h3>mse</h3>") && html.contains("95 % interval"), "the comparison table")
        XCTAssertTrue(html.contains("<td>paired</td>"), "the paired test between the families")
        XCTAssertTrue(html.contains("p-values Holm-adjusted over the 3 comparisons"))
        XCTAssertEqual(html.components(separatedBy: "<figure><svg").count - 1, 3, "train1.loss, train1.validation and the per-frame bands")
        XCTAssertTrue(html.contains("Mean of each configuration with a band of ±1 sample sd over its seeds"))
        // Every point: overrides, seed, status, duration and a link to its record that resolves from the page.
        let sweep = try SweepStore.read(at: dir + "/runs/\(id)/sweep.json")
        for p in sweep.points {
            let run = try XCTUnwrap(p.run)
            XCTAssertTrue(html.contains("<a href=\"runs/\(run)/record.json\">\(run)</a>"), run)
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/runs/\(run)/record.json"))
            let row = "<td class=\"num\">\(p.index)</td><td>family=\(p.overrides[0].value.replacingOccurrences(of: "\"", with: "&quot;"))</td><td class=\"num\">\(p.seed)</td>"
            XCTAssertTrue(html.contains(row + "<td><span class=\"status complete\">complete</span></td><td class=\"num\">"), row)
        }
        for external in ["https://", "src=\"/", "href=\"http", "<script", "<link"] {
            XCTAssertFalse(html.contains(external), "external resource: \(external)")
        }
        XCTAssertFalse(html.replacingOccurrences(of: "http://www.w3.org/", with: "").contains("http://"), "only XML namespaces")
        // The default place is the sweep folder.
        r = try kymo(["report", id])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(try String(contentsOfFile: dir + "/runs/\(id)/report.html", encoding: .utf8).contains("<a href=\"../"))

        guard let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
                .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw KymoBinary.missing("chromium is not installed (apt-get install chromium; scripts/setup.sh does)")
        }
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                     "--user-data-dir=\(dir!)/chromium-profile"]
        let page = "file://\(dir!)/study.html"
        r = try KymoBinary.execute(chromium, flags + ["--dump-dom", page], in: dir)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("<title>Kymo sweep \(id) — nb.kymo</title>"), String(r.out.prefix(400)))
        XCTAssertEqual(r.out.components(separatedBy: "<figure><svg").count - 1, 3, "the browser's DOM has the three inline figures")
        let shot = dir + "/study.png"
        r = try KymoBinary.execute(chromium, flags + ["--screenshot=\(shot)", "--window-size=1200,3000", page], in: dir)
        XCTAssertEqual(r.status, 0, r.err)
        let png = try Data(contentsOf: URL(fileURLWithPath: shot))
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        XCTAssertGreaterThan(png.count, 50_000, "a rendered page, not a blank one")
    }

    /// The issue's command on the quickstart as a new user copies it: with
    /// `seed()` the two seeds give two different runs (no identical-run warning,
    /// a real spread); the copy as it was (`seed(7)`) is refused, naming line 22.
    func testQuickstartSeedSweepVariesAndItsPinnedCopyIsRefused() throws {
        let data = try Self.digitsFolder()
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let text = try String(contentsOfFile: repo + "/notebooks/quickstart.kymo", encoding: .utf8)
        XCTAssertTrue(text.contains("\nseed()"), "the shipped quickstart takes the run's seed")
        let pinned = text.replacingOccurrences(of: "\nseed()", with: "\nseed(7)")
        try pinned.write(toFile: dir + "/old.kymo", atomically: true, encoding: .utf8)
        let refused = try kymo(["sweep", "old.kymo", "--set", "steps=2", "--seeds", "1,2", "--jobs", "2", "--threads", "1"])
        XCTAssertEqual(refused.status, 2)
        let line = pinned.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.hasPrefix("seed(7)") }! + 1
        XCTAssertTrue(refused.err.contains("old.kymo:\(line):1: error: `seed(7)` pins the root seed, so --seeds 1,2 would change nothing"), refused.err)

        try text.write(toFile: dir + "/quickstart.kymo", atomically: true, encoding: .utf8)
        let s = try kymo(["sweep", "quickstart.kymo", "--set", "steps=2", "--seeds", "1,2", "--jobs", "2", "--threads", "1"], environment: ["KYMO_DATA": data])
        XCTAssertEqual(s.status, 0, s.out + s.err)
        let id = String(try XCTUnwrap(s.out.split(separator: "\n").last { $0.hasPrefix("sweep ") }?.dropFirst(6).prefix { $0 != ":" }))
        let c = try kymo(["runs", "compare", id])
        XCTAssertEqual(c.status, 0, c.err)
        XCTAssertFalse(c.out.contains("identical"), c.out)
        XCTAssertFalse(c.out.contains("± 0 ") || c.out.contains("± 0\n"), c.out)
        let store = RunStore(folder: dir + "/runs")
        let losses = try store.runIDs().map { try XCTUnwrap(store.load($0).record.series(named: "train1.loss")).values }
        XCTAssertEqual(losses.count, 2)
        XCTAssertNotEqual(losses[0], losses[1], "seeds 1 and 2 trained differently")
    }
}
