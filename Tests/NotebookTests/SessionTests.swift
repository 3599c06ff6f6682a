// SessionTests: the public API that hosts, records and replay build on —
// per-cell results, bound values, metrics, random streams, --set, the REPL's
// survival of errors and interrupts, completion, help and diagnostics format.

import XCTest
@testable import KymoLanguage
@testable import Notebook

final class SessionTests: XCTestCase {
    private func session(_ configure: (inout SessionOptions) -> Void = { _ in }) -> (Session, BufferSink) {
        var options = SessionOptions()
        let sink = BufferSink()
        options.output = sink
        configure(&options)
        return (Session(options: options), sink)
    }

    func testCellResultsAndBoundValues() {
        let (s, sink) = session()
        let nb = NotebookDocument(name: "nb.kymo", text: "let a = 1\n%% Second\nvar b = a + 1\nprint(b)\n%% Third\nb = 10\nprint(1 / 0)\n%% Fourth\nprint(\"never\")\n")
        let (results, diagnostics) = s.run(nb)
        XCTAssertEqual(diagnostics.count, 0)
        XCTAssertEqual(results.map(\.title), [nil, "Second", "Third", "Fourth"])
        XCTAssertEqual(results.map(\.status), [.complete, .complete, .failed, .skipped])
        XCTAssertEqual(results[1].output, "2\n")
        XCTAssertEqual(results[1].source, "var b = a + 1\nprint(b)")
        XCTAssertEqual(results[1].boundNames, ["b"])
        XCTAssertEqual(results[2].boundNames, ["b"])
        XCTAssertEqual(results[2].diagnostics.first?.kind, .runtime)
        XCTAssertEqual(sink.text, "2\n")
        guard case .int(2)? = s.values(boundBy: 1).first?.value else { return XCTFail("cell 1 bound b = 2") }
        guard case .int(10)? = s.value(named: "b") else { return XCTFail("b is 10 after the third cell") }
        XCTAssertEqual(s.globals.map(\.name), ["a", "b"])
    }

    func testStaticErrorsRunNothing() {
        let (s, sink) = session()
        let (results, diagnostics) = s.run(NotebookDocument(name: "nb.kymo", text: "print(1)\n%% B\nprnt(2)\n"))
        XCTAssertTrue(results.isEmpty)
        XCTAssertEqual(diagnostics.map(\.kind), [.unknownName])
        XCTAssertEqual(sink.text, "")
    }

    func testDiagnosticFormat() {
        let (s, _) = session()
        let d = s.check(NotebookDocument(name: "nb.kymo", text: "let m = 1\nlet h = train(m, m, step: 10)\n"))
        XCTAssertEqual(DiagnosticFormatter.render(d.first { $0.message.contains("step") }!),
                       "nb.kymo:2:21: error: unknown argument 'step'; did you mean 'steps'?\nlet h = train(m, m, step: 10)\n                    ^~~~\n")
    }

    func testMetricsAreExact() {
        let (s, _) = session()
        s.run(NotebookDocument(name: "nb.kymo", text: "for i in 0..<3 { log(\"loss\", 0.1 * i) }\nlog(\"acc\", 1)\n"))
        XCTAssertEqual(s.metrics.map(\.name), ["loss", "acc"])
        XCTAssertEqual(s.metrics[0].values, [0.0, 0.1, 0.1 * 2])
        XCTAssertEqual(s.metrics[1].values, [1.0])
    }

    private func draws(_ text: String, seed: UInt64 = 0) -> [String] {
        let (s, _) = session { $0.seed = seed }
        let (results, diagnostics) = s.run(NotebookDocument(name: "nb.kymo", text: text))
        XCTAssertEqual(diagnostics.count, 0)
        return results.map(\.output)
    }

    func testAddingACellKeepsEarlierNumbers() {
        let one = "%% A\nlet x = randn([3])\nprint(x)\n"
        let two = one + "%% B\nlet y = randn([3])\nprint(y)\n"
        XCTAssertEqual(draws(one)[0], draws(two)[0])
        XCTAssertEqual(draws(one, seed: 5)[0], draws(one, seed: 5)[0])
        XCTAssertNotEqual(draws(one, seed: 5)[0], draws(one, seed: 6)[0])
        // Same call site, two streams: different numbers; a seed() call restarts them.
        let loop = "for i in 0..<2 { print(rand([2])) }\nseed(0)\nfor i in 0..<2 { print(rand([2])) }\n"
        let lines = draws(loop)[0].split(separator: "\n")
        XCTAssertEqual(lines.count, 8)
        XCTAssertNotEqual(lines[1], lines[3])
    }

    func testSetOverrides() throws {
        let (s, sink) = session { $0.overrides = [("steps", "3"), ("lr", "-1e-3"), ("mode", "seq2seq"), ("dims", "[1, 2]")] }
        let (_, diagnostics) = s.run(NotebookDocument(name: "nb.kymo", text: "let steps = 300\nlet lr = 1.0\nlet mode = \"p\"\nlet dims = []\nprint(steps, lr, mode, dims)\n"))
        XCTAssertEqual(diagnostics.count, 0)
        XCTAssertEqual(sink.text, "3 -0.001 seq2seq [1, 2]\n")
        XCTAssertThrowsError(try Session.literal("1 +"))
        XCTAssertThrowsError(try Session.literal("f(x)"))
    }

    /// The Jupyter kernel's control thread requests the interrupt while the
    /// execution thread runs a cell and polls the flag. CI also runs it under
    /// ThreadSanitizer (the flag is one atomic word). The plain word it
    /// replaced was not reported there either: the threads' reference counting
    /// of the shared flag orders the accesses for the sanitizer.
    func testInterruptFromAnotherThreadStopsTheCellAndKeepsTheState() {
        let (s, _) = session { $0.interactive = true }
        XCTAssertEqual(s.evaluate(input: "let a = 7").status, .complete)
        let flag = s.interrupt
        let requester = Thread {
            while !flag.isRequested { usleep(2_000); flag.request() }
        }
        requester.start()
        // Without the interrupt this loop runs for minutes.
        let stopped = s.evaluate(input: "var n = 0\nfor i in 0..<2000000000 { n += 1 }")
        XCTAssertEqual(stopped.status, .interrupted)
        XCTAssertTrue(flag.isRequested)
        s.interrupt.clear()
        XCTAssertFalse(flag.isRequested)
        guard case .int(7)? = s.evaluate(input: "a").value else { return XCTFail("state intact after interrupt") }
    }

    func testReplSurvivesErrorsAndInterrupts() {
        let (s, sink) = session { $0.interactive = true }
        XCTAssertEqual(s.evaluate(input: "let a = [1, 2, 3]").status, .complete)
        XCTAssertEqual(s.evaluate(input: "a[10]").status, .failed)
        XCTAssertEqual(s.evaluate(input: "undefined_thing").status, .failed)
        let r = s.evaluate(input: "a[1] * 10")
        guard case .int(20)? = r.value else { return XCTFail("a survives errors") }
        XCTAssertEqual(s.evaluate(input: "let a = 5").status, .complete, "the REPL allows redeclaration")
        s.interrupt.request()
        let stopped = s.evaluate(input: "var n = 0\nfor i in 0..<1000000 { n += 1 }")
        XCTAssertEqual(stopped.status, .interrupted)
        s.interrupt.clear()
        guard case .int(5)? = s.evaluate(input: "a").value else { return XCTFail("state intact after interrupt") }
        _ = sink
    }

    func testCompletionsAndContinuation() {
        let (s, _) = session { $0.interactive = true }
        _ = s.evaluate(input: "let cfg = {hidden: 32, hide: 1, layers: 2}\nlet t = zeros([2])")
        XCTAssertEqual(s.completions(for: "pri"), ["print"])
        XCTAssertEqual(s.completions(for: "cfg.hi"), ["cfg.hidden", "cfg.hide"])
        XCTAssertEqual(s.completions(for: "t.re"), ["t.reshape"])
        XCTAssertEqual(s.completions(for: "t.sh"), ["t.shape"])
        // The everyday built-ins and list .append complete too.
        _ = s.evaluate(input: "var xs = [1]")
        XCTAssertEqual(s.completions(for: "xs.a"), ["xs.append"])
        XCTAssertEqual(s.completions(for: "xs."), ["xs.count", "xs.append"])
        XCTAssertEqual(s.completions(for: "form"), ["format"])
        XCTAssertEqual(s.completions(for: "ta"), ["table", "tanh"])
        XCTAssertEqual(s.completions(for: "so"), ["softmax", "sorted"])
        XCTAssertTrue(Session.needsMoreInput("for i in 0..<3 {"))
        XCTAssertTrue(Session.needsMoreInput("let x = [1,\n2"))
        XCTAssertTrue(Session.needsMoreInput("let y = 1 +"))
        XCTAssertFalse(Session.needsMoreInput("for i in 0..<3 {\n print(i)\n}"))
        XCTAssertFalse(Session.needsMoreInput("let s = \"{\""))
    }

    func testHelpAndRegistry() throws {
        let (s, _) = session()
        XCTAssertTrue(s.help("train").hasPrefix("train(model, ds, steps: int, batch: 8, lr: 0.001"))
        XCTAssertTrue(s.help("trian").contains("did you mean 'train'?"))
        XCTAssertTrue(s.help().contains("softmax(x, axis: -1) → tensor"))
        for usage in ["len(x) → int", "str(x) → string", "int(x) → int", "float(x) → float", "abs(x) → int or float or tensor", "min(…) → any value", "max(…) → any value",
                      "round(x, digits: nil) → int or float", "sorted(xs, by: nil, key: nil, reverse: false) → list", "keys(r) → list", "sum(xs) → int or float", "mean(xs) → float", "std(xs, ddof: 1) → float",
                      "map(xs, f) → list", "zip(…) → list", "any(xs, f = nil) → bool", "range(a, b = nil, step = 1) → list",
                      "sqrt(x) → float or tensor", "clip(x, lo, hi) → int or float or tensor",
                      "format(x, spec = \"\") → string", "table(rows, columns: nil, format: nil, label: \"\")"] {
            XCTAssertTrue(s.help().contains("  " + usage + "\n"), usage)
        }
        XCTAssertTrue(s.help("format").contains("[[fill]align][sign][0][width][,][.precision][type]"), s.help("format"))
        XCTAssertTrue(s.help("round").contains("digits: decimals to keep (result a float); must be between 0 and 100"), s.help("round"))
        XCTAssertTrue(s.help("tabel").contains("did you mean 'table'?"))
        // The built-ins docs/language.md documents (its "## Built-ins" section: the first
        // column of each signature table, and `train(…)` on a line of its own), read from the
        // file rather than from the catalog the registry is built from.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let doc = try String(contentsOf: root.appendingPathComponent("docs/language.md"), encoding: .utf8)
        let section = try XCTUnwrap(doc.components(separatedBy: "\n## Built-ins\n").dropFirst().first)
            .components(separatedBy: "\n## ").first!
        let call = try NSRegularExpression(pattern: "`([a-z_][a-z0-9_]*)\\(")
        var documented = Set<String>()
        for line in section.split(separator: "\n") {
            let cell: Substring, all: Bool
            if line.hasPrefix("| `") { cell = line.dropFirst().prefix { $0 != "|" }; all = true }
            else if line.hasPrefix("`") { cell = line; all = false } else { continue }
            let text = String(cell)
            let matches = call.matches(in: text, range: NSRange(text.startIndex..., in: text))
            for m in all ? matches : Array(matches.prefix(1)) {
                documented.insert(String(text[Range(m.range(at: 1), in: text)!]))
            }
        }
        XCTAssertGreaterThan(documented.count, 20, "the parser found the built-in tables: \(documented.sorted())")
        let registered = Set(s.registry.names)
        XCTAssertEqual(registered.subtracting(documented).sorted(), [], "built-ins the registry has but docs/language.md does not document")
        XCTAssertEqual(documented.subtracting(registered).sorted(), [], "built-ins docs/language.md documents but the registry lacks")
        // Arguments are checked against the signature before any implementation runs.
        s.registry.bind("evaluate") { _, _ in XCTFail("evaluate ran with arguments its signature refuses"); return .null }
        let (checked, staticErrors) = s.run(NotebookDocument(name: "nb.kymo", text: "fn m() { return nil }\nevaluate(m(), m())\n"))
        XCTAssertEqual(staticErrors.count, 0)
        XCTAssertEqual(checked.first?.diagnostics.first?.kind, .type)
        // Binding is one call: the signature is already checked.
        s.registry.bind("run_id") { _, _ in .string("bound") }
        let (results, _) = s.run(NotebookDocument(name: "nb.kymo", text: "print(run_id())\n"))
        XCTAssertEqual(results.first?.output, "bound\n")
    }

    func testProgressAndContextReachBuiltins() {
        final class Recorder: ProgressReporter {
            var events: [String] = []
            func progressBegan(_ title: String, total: Int) { events.append("begin \(title) \(total)") }
            func progressAdvanced(_ title: String, done: Int, total: Int, detail: String) { events.append("\(done)/\(total) \(detail)") }
            func progressEnded(_ title: String, done: Int, total: Int, detail: String) { events.append("end \(done)") }
        }
        let recorder = Recorder()
        let (s, _) = session { $0.progress = recorder }
        s.registry.bind("train") { args, context in
            let p = context.progress("train", total: try args.int("steps"))
            for step in 1...(try args.int("steps")) {
                if context.isInterrupted { break }
                p.advance(to: step, detail: "loss 0.5")
            }
            p.end()
            return .null
        }
        final class Fake: HostObject {
            let kindName: String
            init(_ kind: String) { kindName = kind }
            func describe(indent: Int) -> String { "fake \(kindName)" }
        }
        s.registry.bind("convlstm") { _, _ in .host(Fake("model")) }
        s.registry.bind("load_moving_mnist") { _, _ in .host(Fake("dataset")) }
        XCTAssertEqual(s.evaluate(input: "train(1, 2, steps: 2)").status, .failed)  // checked before running
        XCTAssertEqual(recorder.events, [])
        let (results, diagnostics) = s.run(NotebookDocument(name: "nb.kymo", text: "let m = convlstm(layers: 1)\nprint(m)\ntrain(m, load_moving_mnist(\"x\"), steps: 2)\n"))
        XCTAssertEqual(diagnostics.count, 0)
        XCTAssertEqual(results.first?.output, "fake model\n")
        XCTAssertEqual(recorder.events, ["begin train 2", "1/2 loss 0.5", "2/2 loss 0.5", "end 2"])
    }
}
