// CommandLineConventionsTests: the built `kymo` binary against the command
// line's conventions (docs/records.md, "Exit codes" and "Machine-readable
// output"): only the notebook's output on stdout, progress on stderr (none
// with --quiet); the exit-code table exercised command by command; usage
// errors leave no record; every `--json` parses; subcommand suggestions;
// run handles (`last`, `last~N`, the random suffix); `-o -`.

import Foundation
import XCTest
import Records
import TestSupport
@testable import kymo

final class CommandLineConventionsTests: KymoTestCase {
    static let notebook = """
    %% One
    let steps = 2
    print("steps", steps)
    log("loss", 0.5 * steps)

    %% Two
    print("two")
    """

    override func setUpWithError() throws {
        try super.setUpWithError()
        try Self.notebook.write(toFile: dir + "/nb.kymo", atomically: true, encoding: .utf8)
    }

    /// The run ids, oldest first (runs started in the same second by their start time).
    func runIDs() -> [String] {
        let store = RunStore(folder: dir + "/runs")
        return RunStore.chronological(store.runIDs().map { ($0, store.runFolder($0)) }).map(\.id)
    }

    func json(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try XCTUnwrap(object as? [String: Any], "not a JSON object: \(text.prefix(300))", file: file, line: line)
    }

    // MARK: stdout for data, stderr for the rest

    /// `kymo run nb > out 2> err`: out holds the cells' titles and what the
    /// notebook printed, nothing else; the progress lines (one per tenth, no
    /// escape sequences: stderr is a file) and the closing line are in err.
    func testRunPutsOnlyTheNotebooksOutputOnStdoutAndProgressOnStderr() throws {
        _ = try KymoBinary.digitsFolder()
        try """
        seed(1)
        let data = moving_mnist(train: 4, test: 2, frames: 4, size: 32)
        let m = convlstm(layers: 1, hidden: 4, kernel: 3, size: 32, patch: 4, frames_in: 2, frames_out: 2)
        let h = train(m, data.train, steps: 20, batch: 2, lr: 0.01)
        print("trained", h.loss.count)
        """.write(toFile: dir + "/train.kymo", atomically: true, encoding: .utf8)
        let r = try kymo(["run", "train.kymo", "--threads", "1"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "%% (untitled)\ntrained 20\n")
        let progress = r.err.split(separator: "\n").filter { $0.hasPrefix("train ConvLSTM") }
        XCTAssertGreaterThanOrEqual(progress.count, 10, r.err)   // plain periodic lines: stderr is not a terminal
        XCTAssertTrue(progress.contains { $0.hasPrefix("train ConvLSTM  20/20  100%") }, r.err)
        XCTAssertFalse(r.err.contains("\u{1B}"), "no terminal escapes when stderr is a file: \(r.err)")
        let id = try XCTUnwrap(runIDs().first)
        XCTAssertTrue(r.err.contains("run \(id): complete, 1/1 cells in"), r.err)

        // --quiet: no progress, no closing line; the output is the same.
        let q = try kymo(["run", "train.kymo", "--threads", "1", "--quiet"])
        XCTAssertEqual(q.status, 0, q.err)
        XCTAssertEqual(q.out, "%% (untitled)\ntrained 20\n")
        XCTAssertFalse(q.err.contains("train ConvLSTM"), q.err)
        XCTAssertFalse(q.err.contains("complete,"), q.err)
    }

    /// A live line is cut to the terminal's width (never wrapped); TERM=dumb is not a live terminal.
    func testProgressLineFitsTheWidth() {
        let line = Console.line("train ConvLSTM", 120, 400, "loss 0.02131", 12.5)
        XCTAssertGreaterThan(line.count, 40)
        let cut = Console.fitted(line, width: 40)
        XCTAssertEqual(cut.count, 39)
        XCTAssertTrue(cut.hasSuffix("…"))
        XCTAssertTrue(line.hasPrefix(String(cut.dropLast())))
        XCTAssertEqual(Console.fitted("short", width: 40), "short")
        // A call resumed at its last step shows no rate (one unit in no time is not a speed).
        XCTAssertEqual(Console.line("train ConvLSTM", 300, 300, "", 0.00003, from: 299), "train ConvLSTM  300/300  100%")
        XCTAssertTrue(Console.line("train ConvLSTM", 300, 300, "", 3.0, from: 0).contains("100/s"))
        XCTAssertFalse(Console.stderrIsLiveTerminal(environment: ["TERM": "dumb"]))
        XCTAssertEqual(Console.width(environment: ["COLUMNS": "57"]) > 0, true)
    }

    // MARK: the exit-code table, command by command

    func testExitCodesCommandByCommand() throws {
        // run: 0 complete, 1 a failing cell, 2 a missing notebook, 64 usage (nothing recorded)
        XCTAssertEqual(try kymo(["run", "nb.kymo"]).status, 0)
        try "print(1)\nlet x = zeros([2]) + zeros([3])\n".write(toFile: dir + "/bad.kymo", atomically: true, encoding: .utf8)
        XCTAssertEqual(try kymo(["run", "bad.kymo"]).status, 1)
        XCTAssertEqual(try kymo(["run", "nosuch.kymo"]).status, 2)
        let before = runIDs()
        let set = try kymo(["run", "nb.kymo", "--set", "nosuch=3"])
        XCTAssertEqual(set.status, 64, set.err)
        XCTAssertTrue(set.err.contains("the notebook has no top-level 'let nosuch'"), set.err)
        XCTAssertEqual(runIDs(), before, "a usage error leaves no record")
        XCTAssertEqual(try kymo(["run", "nb.kymo", "--set", "stepz=3"]).status, 64)
        XCTAssertEqual(runIDs(), before)
        XCTAssertEqual(try kymo(["run", "nb.kymo", "--threads", "0"]).status, 64)
        XCTAssertEqual(try kymo(["run", "nb.kymo", "--nosuch"]).status, 64)
        XCTAssertEqual(runIDs(), before)
        // check: 0, 1, 2
        XCTAssertEqual(try kymo(["check", "nb.kymo"]).status, 0)
        try "let y = nope\n".write(toFile: dir + "/static.kymo", atomically: true, encoding: .utf8)
        XCTAssertEqual(try kymo(["check", "static.kymo"]).status, 1)
        XCTAssertEqual(try kymo(["check", "nosuch.kymo"]).status, 2)
        // runs: 0; a missing run 2; a --runs that is missing or a file 2 (not an empty list)
        XCTAssertEqual(try kymo(["runs"]).status, 0)
        XCTAssertEqual(try kymo(["runs", "show", "nosuch"]).status, 2)
        let missing = try kymo(["runs", "--runs", dir + "/nonexistent"])
        XCTAssertEqual(missing.status, 2, missing.out)
        XCTAssertTrue(missing.err.contains("no such folder"), missing.err)
        XCTAssertFalse(missing.out.contains("no runs recorded yet"), missing.out)
        let file = try kymo(["runs", "--runs", "nb.kymo"])
        XCTAssertEqual(file.status, 2)
        XCTAssertTrue(file.err.contains("is a file"), file.err)
        // runs diff --exit-code: 0 the same results, 1 different
        let ids = runIDs()
        XCTAssertEqual(try kymo(["run", "nb.kymo", "--set", "steps=3"]).status, 0)
        let three = try XCTUnwrap(runIDs().first { !ids.contains($0) })
        let first = ids[0]
        XCTAssertEqual(try kymo(["runs", "diff", first, first, "--exit-code"]).status, 0)
        XCTAssertEqual(try kymo(["runs", "diff", first, three]).status, 0)
        XCTAssertEqual(try kymo(["runs", "diff", first, three, "--exit-code"]).status, 1)
        // replay: 0 identical; 2 a missing run
        XCTAssertEqual(try kymo(["replay", first]).status, 0)
        XCTAssertEqual(try kymo(["replay", "nosuch"]).status, 2)
        // data: a data folder that is a file is 2
        XCTAssertEqual(try kymo(["data"], environment: ["KYMO_DATA": dir + "/nb.kymo"]).status, 2)
        // resume, report, runs sign/verify/compare of a missing run: 2
        for command in [["resume"], ["report"], ["runs", "sign"], ["runs", "verify"], ["runs", "compare"]] {
            XCTAssertEqual(try kymo(command + ["nosuch"]).status, 2, command.joined(separator: " "))
        }
        XCTAssertEqual(try kymo(["replay", "last~99"]).status, 2)
        // sweep: an unreadable notebook 2; a bad --set value 64, with no sweep and no record
        XCTAssertEqual(try kymo(["sweep", "nosuch.kymo"]).status, 2)
        let runsBefore = try FileManager.default.contentsOfDirectory(atPath: dir + "/runs").sorted()
        let sweep = try kymo(["sweep", "nb.kymo", "--set", "nosuch=1,2"])
        XCTAssertEqual(sweep.status, 64, sweep.err)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/runs").sorted(), runsBefore)
        // usage: 64
        XCTAssertEqual(try kymo(["bench", "nosuch"]).status, 64)
        XCTAssertEqual(try kymo(["check"]).status, 64)
        let threads = try kymo(["run", "nb.kymo", "--threads", "999"])
        XCTAssertEqual(threads.status, 64)
        XCTAssertEqual(threads.err, "kymo: error: --threads 999: the engine runs at most 64 threads\n")
        XCTAssertEqual(try kymo(["help", "nosuch"]).status, 64)
        XCTAssertEqual(try kymo(["help", "run"]).status, 0)
        XCTAssertEqual(try kymo(["rn", "nb.kymo"]).status, 64)
        XCTAssertEqual(try kymo(["completion", "tcsh"]).status, 64)
        // --help documents the table
        let help = try kymo(["--help"])
        XCTAssertEqual(help.status, 0)
        for line in ["0    ok", "64   usage", "130  interrupted", "143", "KYMO_THREADS", "KYMO_DATA", "KYMO_HISTORY", "EXAMPLES:"] {
            XCTAssertTrue(help.out.contains(line), "kymo --help lacks \(line)")
        }
    }

    // MARK: --json

    func testEveryJSONOutputParses() throws {
        XCTAssertEqual(try kymo(["run", "nb.kymo"]).status, 0)
        XCTAssertEqual(try kymo(["run", "nb.kymo", "--set", "steps=3"]).status, 0)
        let ids = runIDs()
        XCTAssertEqual(ids.count, 2)

        let runs = try json(try kymo(["runs", "--json"]).out)
        XCTAssertEqual(runs["format"] as? String, "kymo-runs-1")
        let list = try XCTUnwrap(runs["runs"] as? [[String: Any]])
        XCTAssertEqual(list.map { $0["id"] as? String }, ids)
        XCTAssertEqual(list[1]["status"] as? String, "complete")
        XCTAssertEqual((list[1]["overrides"] as? [[String: String]])?.first?["value"], "3")
        XCTAssertEqual((list[1]["metrics"] as? [[String: Any]])?.first?["last"] as? Double, 1.5)

        let show = try json(try kymo(["runs", "show", "last", "--json"]).out)
        XCTAssertEqual(show["format"] as? String, "kymo-run-1")
        XCTAssertEqual((show["record"] as? [String: Any])?["id"] as? String, ids[1])

        let diff = try json(try kymo(["runs", "diff", ids[0], ids[1], "--json"]).out)
        XCTAssertEqual(diff["differ"] as? Bool, true)
        let sections = try XCTUnwrap(diff["sections"] as? [[String: Any]])
        let config = try XCTUnwrap(sections.first { $0["title"] as? String == "config" }?["rows"] as? [[String: Any]])
        XCTAssertTrue(config.contains { $0["name"] as? String == "--set steps" && $0["same"] as? Bool == false }, "\(config)")

        let version = try json(try kymo(["--version", "--json"]).out)
        XCTAssertEqual(version["format"] as? String, "kymo-version-1")
        XCTAssertNotNil(version["numerics"] as? String)

        let check = try json(try kymo(["check", "nb.kymo", "--json"]).out)
        XCTAssertEqual(check["ok"] as? Bool, true)
        try "let y = nope\n".write(toFile: dir + "/static.kymo", atomically: true, encoding: .utf8)
        let failed = try kymo(["check", "static.kymo", "--json"])
        XCTAssertEqual(failed.status, 1)
        let errors = try XCTUnwrap(try json(failed.out)["errors"] as? [[String: Any]])
        XCTAssertEqual(errors.first?["line"] as? Int, 1)
        XCTAssertEqual(errors.first?["column"] as? Int, 9)

        let dataFolder = dir + "/data"
        try FileManager.default.createDirectory(atPath: dataFolder, withIntermediateDirectories: true)
        try "abc".write(toFile: dataFolder + "/x.bin", atomically: true, encoding: .utf8)
        let data = try json(try kymo(["data", "--json"], environment: ["KYMO_DATA": dataFolder]).out)
        XCTAssertEqual(data["format"] as? String, "kymo-data-1")
        let entries = try XCTUnwrap(data["entries"] as? [[String: Any]])
        XCTAssertEqual(entries.first?["name"] as? String, "x.bin")
        XCTAssertEqual(entries.first?["bytes"] as? Int, 3)

        // bench: only the JSON on stdout (the tables on stderr), the rows the table shows.
        let bench = try kymo(["bench", "engine", "--json", "--no-torch", "--repeats", "1", "--threads", "1"])
        XCTAssertEqual(bench.status, 0, bench.err)
        let b = try json(bench.out)
        XCTAssertEqual(b["format"] as? String, "kymo-bench-1")
        XCTAssertEqual(b["threads"] as? Int, 1)
        XCTAssertGreaterThan((b["fmaPeak"] as? [String: Any])?["gflopsPerCore"] as? Double ?? 0, 0)
        XCTAssertEqual((b["fmaPeak"] as? [String: Any])?["threads"] as? Int, 1)
        XCTAssertGreaterThan((b["fmaPeak"] as? [String: Any])?["gflopsOnThreads"] as? Double ?? 0, 0)
        let rows = try XCTUnwrap(b["engine"] as? [[String: Any]])
        XCTAssertEqual(rows.count, 7, "\(rows)")   // 3 sgemm shapes; conv2d forward, and forward+backward, at 16×16 and 64×64
        XCTAssertEqual(rows.first?["name"] as? String, "sgemm M=256 K=1152 N=256")
        for row in rows { XCTAssertTrue(bench.err.contains(row["name"] as? String ?? "?"), "the table on stderr lacks \(row)") }
        // bench models --cases: only the named cases; an unknown name is a usage error naming the known ones.
        let one = try kymo(["bench", "models", "--quick", "--cases", "seq2seq_convlstm", "--steps", "1", "--run-steps", "0",
                            "--no-torch", "--json", "--threads", "1"])
        XCTAssertEqual(one.status, 0, one.err)
        let models = try XCTUnwrap(try json(one.out)["models"] as? [[String: Any]])
        XCTAssertEqual(models.map { $0["name"] as? String }, ["seq2seq_convlstm"])
        let unknown = try kymo(["bench", "models", "--cases", "seq2seq_convlstm,nosuch"])
        XCTAssertEqual(unknown.status, 64, unknown.err)
        XCTAssertTrue(unknown.err.contains("nosuch") && unknown.err.contains("predictor_sam_convlstm"), unknown.err)
    }

    // MARK: validation and suggestions

    func testSuggestionsAndInputValidation() throws {
        let rn = try kymo(["rn", "nb.kymo"])
        XCTAssertTrue(rn.err.contains("did you mean `kymo run`?"), rn.err)
        let bare = try kymo(["nb.kymo"])
        XCTAssertEqual(bare.status, 64)
        XCTAssertTrue(bare.err.contains("did you mean `kymo run nb.kymo`?"), bare.err)
        let lsit = try kymo(["runs", "lsit"])
        XCTAssertEqual(lsit.status, 64)
        XCTAssertTrue(lsit.err.contains("did you mean `kymo runs list`?"), lsit.err)
        let help = try kymo(["help", "rnu"])
        XCTAssertTrue(help.err.contains("did you mean `kymo help run`?"), help.err)
        // A built-in's name gets the REPL's `:help` text; a method's too.
        let builtin = try kymo(["help", "save_sequences"])
        XCTAssertEqual(builtin.status, 0, builtin.err)
        XCTAssertTrue(builtin.out.hasPrefix("save_sequences(path, ds, "), builtin.out)
        XCTAssertTrue(builtin.out.contains("  layout: "), builtin.out)
        let method = try kymo(["help", "reshape"])
        XCTAssertEqual(method.status, 0, method.err)
        XCTAssertTrue(method.out.hasPrefix("tensor.reshape("), method.out)
        let neither = try kymo(["help", "plot_los"])
        XCTAssertEqual(neither.status, 64)
        XCTAssertTrue(neither.err.contains("has no such command and Kymo no such built-in"), neither.err)
        // A notebook whose name starts with '-': suggested with `--`, and runs after it.
        try "print(\"dash\")\n".write(toFile: dir + "/-dash.kymo", atomically: true, encoding: .utf8)
        let dash = try kymo(["run", "-dash.kymo"])
        XCTAssertEqual(dash.status, 64)
        XCTAssertTrue(dash.err.contains("kymo run -- -dash.kymo"), dash.err)
        let dashed = try kymo(["run", "--", "-dash.kymo"])
        XCTAssertEqual(dashed.status, 0, dashed.err)
        XCTAssertEqual(dashed.out, "%% (untitled)\ndash\n")
        // --threads above the cores: allowed, with a note.
        XCTAssertEqual(ThreadCount.check(0, cores: 2).error, "--threads 0: must be at least 1")
        XCTAssertNotNil(ThreadCount.check(999, cores: 2).error)
        XCTAssertNotNil(ThreadCount.check(4, cores: 2).note)
        XCTAssertNil(ThreadCount.check(2, cores: 2).note)
        // Every subcommand's help has examples.
        for command in [["run"], ["check"], ["repl"], ["replay"], ["resume"], ["runs"], ["runs", "show"], ["runs", "diff"], ["runs", "compare"],
                        ["runs", "sign"], ["runs", "verify"], ["sweep"], ["report"], ["data"], ["bench"], ["completion"]] {
            let h = try kymo(command + ["--help"])
            XCTAssertTrue(h.out.contains("EXAMPLES:"), "kymo \(command.joined(separator: " ")) --help has no EXAMPLES")
        }
        let bash = try kymo(["completion", "bash"])
        XCTAssertEqual(bash.status, 0)
        XCTAssertTrue(bash.out.contains("complete") && bash.out.contains("replay"), String(bash.out.prefix(300)))
    }

    // MARK: the REPL's completion helpers

    func testReplCompletionOfPathsLabelsAndQuotedLoad() throws {
        try "x".write(toFile: dir + "/tiny_nb.kymo", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: dir + "/tides", withIntermediateDirectories: true)
        try "x".write(toFile: dir + "/my nb.kymo", atomically: true, encoding: .utf8)
        // After `:load` or inside a string: the names in that folder; a folder gets a `/`.
        XCTAssertEqual(ReplCompletion.files(typed: dir + "/ti", word: "ti"), ["tides/", "tiny_nb.kymo"])
        XCTAssertEqual(ReplCompletion.openString("let d = load_moving_mnist(\"" + dir + "/ti"), dir + "/ti")
        XCTAssertNil(ReplCompletion.openString("print(\"a\", x"))
        // A quoted path with a space: readline's word is after the space, so only that part is completed.
        XCTAssertEqual(ReplCompletion.files(typed: ReplCompletion.unquoted("\"" + dir + "/my n"), word: "n"), ["nb.kymo"])
        XCTAssertEqual(ReplCompletion.unquoted("\"my nb.kymo\""), "my nb.kymo")
        // Inside a call: its name, and the labels already given.
        XCTAssertEqual(ReplCompletion.enclosingCall("let h = train(m, d, st"), "train")
        XCTAssertEqual(ReplCompletion.enclosingCall("print(f(1), g"), "print")
        XCTAssertNil(ReplCompletion.enclosingCall("x.train(m, "))
        XCTAssertEqual(ReplCompletion.labelsUsed("train(m, d, steps: 3, ba"), ["steps"])
    }

    // MARK: run handles and -o -

    func testRunHandlesAndOutputToStdout() throws {
        XCTAssertEqual(try kymo(["run", "nb.kymo"]).status, 0)
        XCTAssertEqual(try kymo(["run", "nb.kymo", "--set", "steps=3"]).status, 0)
        let ids = runIDs()
        func shown(_ handle: String) throws -> String? {
            let r = try kymo(["runs", "show", handle, "--json"])
            guard r.status == 0 else { return nil }
            return (try json(r.out)["record"] as? [String: Any])?["id"] as? String
        }
        XCTAssertEqual(try shown("last"), ids[1])
        XCTAssertEqual(try shown("last~1"), ids[0])
        XCTAssertNil(try shown("last~2"))
        XCTAssertEqual(try shown(String(ids[0].suffix(6))), ids[0])   // the random suffix
        let report = try kymo(["report", "last", "-o", "-"])
        XCTAssertEqual(report.status, 0, report.err)
        XCTAssertTrue(report.out.hasPrefix("<!DOCTYPE html>"), String(report.out.prefix(100)))
        XCTAssertTrue(report.out.contains("<title>Kymo run \(ids[1]) — nb.kymo</title>"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/-"), "-o - wrote a file named '-'")
        XCTAssertTrue(report.err.contains("wrote standard output"), report.err)
        // Shell completion of a RUN argument offers `last` and the run ids (what the completion script asks kymo).
        let completion = try kymo(["---completion", "replay", "--", "positional@0", "2", "0", "kymo", "replay", ""])
        XCTAssertEqual(completion.status, 0, completion.err)
        XCTAssertEqual(Set(completion.out.split(separator: "\n").map(String.init)), Set(["last"] + ids))
    }
}
