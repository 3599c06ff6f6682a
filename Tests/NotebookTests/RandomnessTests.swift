// RandomnessTests: the stream key scheme (docs/language.md, "Randomness").
// Numbers never depend on the text's layout (comments, blank lines, spacing),
// `seed(n)` followed by the same calls draws the same numbers wherever it
// stands, consumers draw independently, earlier cells never see later edits,
// and a record says which scheme made it.
import Foundation
import XCTest
import Records
import TestSupport
@testable import KymoLanguage
@testable import Notebook

final class RandomnessTests: XCTestCase {
    /// The printed output of every cell of `text` (one session).
    func outputs(_ text: String, seed: UInt64 = 0) -> [String] {
        var o = SessionOptions()
        o.seed = seed
        let s = Session(options: o)
        let (results, diagnostics) = s.run(NotebookDocument(name: "nb.kymo", text: text))
        XCTAssertEqual(diagnostics.count, 0, diagnostics.map(DiagnosticFormatter.render).joined())
        XCTAssertEqual(results.map(\.status), Array(repeating: .complete, count: results.count),
                       results.flatMap(\.diagnostics).map(DiagnosticFormatter.render).joined())
        return results.map(\.output)
    }

    /// `seed()` restarts the streams from the run's seed (`--seed`); `seed(n)` pins,
    /// and SeedPins finds exactly the pinning calls (with their line) before a run.
    func testSeedWithoutArgumentTakesTheRunsSeedAndSeedNPins() {
        let free = "let a = randn([3])\nseed()\nprint(randn([3]))\n"
        XCTAssertEqual(outputs(free, seed: 5), outputs("seed(5)\nprint(randn([3]))\n", seed: 0), "seed() is the run's seed")
        XCTAssertNotEqual(outputs(free, seed: 5), outputs(free, seed: 6), "and the run's seed changes it")
        let pinned = "seed(7)\nprint(randn([3]))\n"
        XCTAssertEqual(outputs(pinned, seed: 5), outputs(pinned, seed: 6), "seed(7) pins")
        XCTAssertEqual(SeedPins.find(inNotebook: "nb.kymo", text: free), [])
        let pins = SeedPins.find(inNotebook: "nb.kymo", text: "%% A\nseed()\n%% B\nfn f() {\n  seed( 3 )   # pinned in a function\n}\nlet k = 2\nif k > 1 { seed(k) }\n")
        XCTAssertEqual(pins.map(\.line), [5, 8])
        XCTAssertEqual(pins.map(\.text), ["seed( 3 )", "seed(k)"])
        XCTAssertTrue(SeedPins.refusal(path: "nb.kymo", pins: pins, what: "--seed 4").hasPrefix("nb.kymo:5:3: error: `seed( 3 )` pins the root seed, so --seed 4 would change nothing"))
    }

    func testCommentsBlankLinesAndSpacingChangeNoNumber() {
        let plain = "seed(1)\nlet a = randn([3])\nprint(a)\n"
        let commented = "# a comment\nseed(1)\n\n   # another\nlet a =    randn( [3] )   # trailing\n\nprint(a)\n"
        XCTAssertEqual(outputs(plain).joined(), outputs(commented).joined())
        // A blank line above a model changes none of its weights.
        let model = "let m = convlstm(layers: 1, hidden: 4, size: 8, patch: 2, frames_in: 2, frames_out: 1)\nprint(m.parameters)\n"
        XCTAssertEqual(outputs(model), outputs("\n\n" + model))
    }

    func testSeedThenTheSameCallsDrawTheSameNumbers() {
        let out = outputs("""
        seed(3)
        let a = randn([4])
        seed(3)
        let b = randn([4])
        print((a - b).sum().item() == 0.0, (a * a).sum().item() > 0.0)
        """)
        XCTAssertEqual(out, ["true true\n"])
        // Wherever it stands: in another cell, after other draws, inside a function.
        let elsewhere = outputs("""
        let z = rand([7])
        %% Later
        fn draw() { seed(3)
          return randn([4]) }
        print(draw())
        """)
        XCTAssertEqual(elsewhere[1], outputs("seed(3)\nprint(randn([4]))\n")[0])
        // Without a reseed, successive calls draw fresh numbers.
        XCTAssertEqual(outputs("seed(3)\nlet a = randn([4])\nlet b = randn([4])\nprint((a - b).sum().item() == 0.0)\n"), ["false\n"])
    }

    func testConsumersAreIndependent() {
        let base = """
        seed(5)
        let data = moving_mnist(train: 3, test: 1, frames: 4, size: 32)
        let m = convlstm(layers: 1, hidden: 4, size: 32, patch: 4, frames_in: 2, frames_out: 2)
        let h = train(m, data.train, steps: 2, batch: 2, lr: 0.01)
        print(data.train[0].sum().item(), m.parameters, h.loss)
        """
        // An extra randn (and rand) before each consumer moves none of them.
        let withDraws = base
            .replacingOccurrences(of: "let data =", with: "let x1 = randn([5])\nlet data =")
            .replacingOccurrences(of: "let m =", with: "let x2 = rand([2, 2])\nlet m =")
            .replacingOccurrences(of: "let h =", with: "let x3 = randn([9])\nlet h =")
        XCTAssertEqual(outputs(base), outputs(withDraws))
    }

    func testEditsToLaterCellsNeverChangeEarlierOnesAndASeededCellIgnoresOthers() {
        let original = outputs("let a = randn([3])\nprint(a)\n%% B\nprint(randn([2]))\n%% C\nseed(9)\nprint(randn([2]))\n")
        let edited = outputs("let a = randn([3])\nprint(a)\n%% B\nlet extra = randn([100])\nprint(randn([2]))\n%% C\nseed(9)\nprint(randn([2]))\n")
        XCTAssertEqual(original[0], edited[0], "an earlier cell")
        XCTAssertNotEqual(original[1], edited[1], "the edited cell itself draws after the added call")
        XCTAssertEqual(original[2], edited[2], "a cell that starts with seed(…)")
    }

    func testReplInputsDrawWhatTheNotebookDraws() {
        let inputs = ["seed(2)", "let a = randn([3])", "print(a)", "print(rand([2]))"]
        var o = SessionOptions()
        o.interactive = true
        let repl = Session(options: o)
        let printed = inputs.map { repl.evaluate(input: $0).output }.joined()
        XCTAssertEqual(printed, outputs(inputs.joined(separator: "\n") + "\n").joined())
    }

    // MARK: records

    static let notebook = """
    %% Data
    seed(7)
    let data = moving_mnist(train: 4, test: 2, frames: 4, size: 32)
    let noise = randn([2, 3])
    print(noise)

    %% Models
    let cfg = {layers: 1, hidden: 4, size: 32, patch: 4, frames_in: 2, frames_out: 2}
    let a = convlstm(cfg)
    let b = sam_convlstm(cfg, attention_hidden: 2)

    %% Train
    let ha = train(a, data.train, steps: 2, batch: 2, lr: 0.01)
    let hb = train(b, data.train, steps: 2, batch: 2, lr: 0.01)
    print(evaluate(a, data.test).mse, hb.loss)
    """

    /// The same notebook with comments, blank lines and spacing changed everywhere.
    static let reformatted = """
    # A reformatted copy: nothing here may change a number.

    %% Data
    seed( 7 )      # the root seed
    let data   = moving_mnist( train: 4,   test: 2, frames: 4, size: 32 )

    let noise = randn( [2,3] )
    print( noise )
    %% Models
    # one config for both families
    let cfg = { layers: 1, hidden: 4,
                size: 32, patch: 4, frames_in: 2, frames_out: 2 }


    let a = convlstm( cfg )
    let b = sam_convlstm(cfg,   attention_hidden: 2)
    %% Train
      let ha = train(a, data.train, steps: 2, batch: 2, lr: 0.01)   # ConvLSTM
      let hb = train(b, data.train, steps: 2, batch: 2, lr: 0.01)   # SAM
    print(evaluate(a, data.test).mse,    hb.loss)
    """

    func record(_ text: String, runs: String) throws -> RunRecord {
        var o = RecordedRunOptions(notebookPath: "nb.kymo", text: text, workingDirectory: NSTemporaryDirectory(), host: .fixture)
        o.runsFolder = runs
        let r = try RecordRunner.run(o)
        XCTAssertNil(r.recordError)
        XCTAssertEqual(r.record.status, .complete, r.record.cells.compactMap(\.error).joined())
        return r.record
    }

    func testAReformattedNotebookGivesTheSameRecordApartFromItsText() throws {
        let runs = RecordFixtures.scratch() + "/runs"
        let a = try record(Self.notebook, runs: runs)
        let b = try record(Self.reformatted, runs: runs)
        XCTAssertEqual(a.randomScheme, RandomKeys.scheme)
        XCTAssertEqual(a.cells.map(\.output), b.cells.map(\.output))
        XCTAssertEqual(a.cells.map(\.values), b.cells.map(\.values))
        XCTAssertEqual(a.cells.map(\.valuesSHA256), b.cells.map(\.valuesSHA256))
        XCTAssertEqual(a.metrics, b.metrics)
        XCTAssertEqual(a.artifacts, b.artifacts)
        XCTAssertNotEqual(a.notebook.sha256, b.notebook.sha256)
        // Replaying the reformatted copy against the original record: no divergence.
        let (report, _) = try Replayer.run(a, host: .fixture, .with { $0.text = Self.reformatted })
        XCTAssertTrue(report.isIdentical, report.render())
    }

    func testARecordOfTheOldSchemeSaysSoOnReplay() throws {
        let runs = RecordFixtures.scratch() + "/runs"
        var old = try record(Self.notebook, runs: runs)
        old.randomScheme = nil  // as records made before schemes were numbered
        let (report, _) = try Replayer.run(old, host: .fixture)
        XCTAssertTrue(report.buildChanges.contains { $0.part == "random scheme" && $0.recorded.hasPrefix("1 ") && $0.now.hasPrefix("2 ") },
                      "\(report.buildChanges)")
        XCTAssertTrue(report.render().contains("random scheme"), report.render())
    }
}
