// The four notebooks of issue 23 under an 8 GiB address-space limit
// (`ulimit -v 8388608`), with the default memory budget (1/2 of that limit):
// a list doubled 40 times, a string doubled 40 times, tensors kept until they
// pass the budget, and convlstm(layers: 4, hidden: 4096, kernel: 5, size: 64).
// Each run ends with a `file:line:col: error:` and exit status 1 (no crash,
// no SIGABRT), its record `failed`; the REPL given the same lines reports
// each error and keeps its state.

import Foundation
import XCTest
import Records
import TestSupport

final class MemoryEndToEndTests: KymoTestCase {
    static let notebooks: [(name: String, line: String, error: String)] = [
        ("list", "var xs = [1.5]; for i in 0..<40 { xs = xs + xs }", "list.kymo:2:"),
        ("string", "var s = \"ab\"; for i in 0..<40 { s = s + s }", "string.kymo:2:"),
        ("tensor", "var ts = []; for i in 0..<40 { ts.append(ones([8192, 8192]) * 2.0) }", "tensor.kymo:2:"),
        ("model", "let m = convlstm(layers: 4, hidden: 4096, kernel: 5, size: 64)", "model.kymo:2:9: error: a ConvLSTM of 11945857025 parameters needs"),
    ]

    /// `kymo args` under `ulimit -v 8388608` (the budget left to its default), standard input from `input`.
    func limited(_ args: String, input: String = "/dev/null") throws -> (status: Int32, out: String, err: String) {
        try KymoBinary.execute("/bin/bash", ["-c", "ulimit -v 8388608 && exec \"$0\" \(args) < \(input)", binary], in: dir,
                               environment: ["KYMO_MEMORY": ""])
    }

    func testEachNotebookEndsWithAnErrorAndAFailedRecord() throws {
        for nb in Self.notebooks {
            try "%% Grow\n\(nb.line)\nprint(\"not reached\")\n".write(toFile: dir + "/\(nb.name).kymo", atomically: true, encoding: .utf8)
            let r = try limited("run \(nb.name).kymo --threads 2")
            XCTAssertEqual(r.status, 1, "\(nb.name): \(r.err.suffix(2000))")
            XCTAssertTrue(r.err.contains(nb.error), "\(nb.name): \(r.err.suffix(2000))")
            XCTAssertTrue(r.err.contains(" error: "), r.err)
            XCTAssertFalse(r.err.contains("Fatal error") || r.err.contains("crashed"), r.err)
            if nb.name != "string" {   // a string meets its 2^28-byte cap first, also a clean error
                XCTAssertTrue(r.err.contains("over the memory budget of 4.0 GiB (4294967296 bytes"), "\(nb.name): \(r.err.suffix(2000))")
            }
            XCTAssertFalse(r.out.contains("not reached"))
            let store = RunStore(folder: dir + "/runs")
            let id = try XCTUnwrap(store.runIDs().last)
            let record = try store.load(id).record
            XCTAssertEqual(record.notebook.path.hasSuffix("\(nb.name).kymo"), true)
            XCTAssertEqual(record.status, .failed, nb.name)
            try FileManager.default.removeItem(atPath: dir + "/runs")
        }
    }

    func testTheReplSurvivesThemWithItsState() throws {
        let lines = ["let keep = 41"] + Self.notebooks.map(\.line) + ["print(keep + 1)", "let small = zeros([2, 2]) + 1", "print(small.sum().item())"]
        try (lines.joined(separator: "\n") + "\n").write(toFile: dir + "/input.txt", atomically: true, encoding: .utf8)
        let r = try limited("repl --threads 2", input: "input.txt")
        XCTAssertEqual(r.status, 1, "piped input with failed lines exits 1: \(r.err.suffix(2000))")
        XCTAssertEqual(r.err.components(separatedBy: ": error: ").count - 1, 4, r.err)
        XCTAssertEqual(r.err.components(separatedBy: "over the memory budget").count - 1, 3, r.err)
        XCTAssertFalse(r.err.contains("Fatal error"), r.err)
        XCTAssertEqual(r.out, "42\n4.0\n", r.out + r.err)
    }
}
