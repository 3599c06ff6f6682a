// FuzzTests: random and mutated notebooks through scanner, parser, checker
// and interpreter (with a step limit and small size limits). Every outcome
// must be values or diagnostics — a crash, a hang or a diagnostic without a
// message fails the run. ~2,000 inputs by default; KYMO_FUZZ_LONG=1 runs
// 100,000. The generator is seeded, so a failure reproduces.

import Foundation
import XCTest
import Records
@testable import KymoLanguage
@testable import Notebook

final class FuzzTests: XCTestCase {
    /// SplitMix64: a small seeded generator for the fuzzer.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let fragments = [
        "let ", "var ", "fn ", "if ", "else ", "for ", " in ", "return ", "and ", "or ", "not ", "true", "false", "nil",
        "(", ")", "[", "]", "{", "}", ",", ":", ".", ";", "\n", "%%", "%% t\n", "#", "\"", "\\", "+", "-", "*", "/", "%",
        "==", "!=", "<", "<=", ">", ">=", "=", "+=", "..<", "...", "0", "1", "-1", "2.5", "1e308", "9223372036854775807",
        "x", "y", "f", "xs", "r", "t", "print", "zeros", "ones", "randn", "rand", "tensor", "matmul", "softmax", "conv2d",
        "relu", "seed", "log", "train", "moving_mnist", "sam_convlstm", ".shape", ".sum()", ".reshape([-1])", ".count",
        "[1, 2]", "{a: 1}", "fn(a) { return a }", "0..<3", "\"s\"", "é", "\u{0}", "\t", "  ", "x = x + x", "xs = [xs, xs]",
    ]

    static let corpus: [String] = {
        let dir = ScriptTests.directory
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".kymo") }.sorted()) ?? []
        return names.compactMap { try? String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8) } + [
            "var x = \"ab\"\nfor i in 0..<100 { x = x + x }\nprint(x.count)\n",
            "var xs = [1]\nfor i in 0..<60 { xs = [xs, xs] }\nprint(xs == xs)\nprint(xs)\n",
            "fn f(n) { return f(n + 1) }\nf(0)\n",
            "var t = ones([4, 4])\nfor i in 0..<5 { t = matmul(t, t) + t * 2 }\nprint(t.sum().item())\n",
        ]
    }()

    static func mutate(_ text: String, _ g: inout Generator) -> String {
        var chars = Array(text.unicodeScalars)
        for _ in 0..<Int.random(in: 1...4, using: &g) {
            let at = chars.isEmpty ? 0 : Int.random(in: 0...chars.count, using: &g)
            switch Int.random(in: 0..<5, using: &g) {
            case 0 where !chars.isEmpty:  // delete a run
                let end = min(chars.count, at + Int.random(in: 1...8, using: &g))
                if at < end { chars.removeSubrange(at..<end) }
            case 1:  // insert a fragment
                chars.insert(contentsOf: fragments.randomElement(using: &g)!.unicodeScalars, at: at)
            case 2 where chars.count > 2:  // duplicate a slice
                let a = Int.random(in: 0..<chars.count, using: &g)
                let b = min(chars.count, a + Int.random(in: 1...40, using: &g))
                chars.insert(contentsOf: chars[a..<b], at: at)
            case 3 where !chars.isEmpty:  // replace one character
                let i = min(at, chars.count - 1)
                chars[i] = "(){}[],.:=+-*/<>\"#\n 0a".unicodeScalars.randomElement(using: &g)!
            default:  // swap two characters
                if chars.count > 1 { chars.swapAt(Int.random(in: 0..<chars.count, using: &g), Int.random(in: 0..<chars.count, using: &g)) }
            }
        }
        var s = String.UnicodeScalarView()
        s.append(contentsOf: chars)
        return String(s)
    }

    static func random(_ g: inout Generator) -> String {
        (0..<Int.random(in: 1...40, using: &g)).map { _ in fragments.randomElement(using: &g)! }.joined()
    }

    /// Runs one input as a notebook and as a REPL input; checks the outcome's shape.
    static func exercise(_ text: String) -> String? {
        for interactive in [false, true] {
            var options = SessionOptions()
            options.stepLimit = 2_000
            options.maxTensorElements = 4_096
            options.interactive = interactive
            options.output = BufferSink()
            let session = Session(options: options)
            var diagnostics: [Diagnostic] = []
            var statuses: [CellStatus] = []
            if interactive {
                let r = session.evaluate(input: text)
                diagnostics = r.diagnostics
                statuses = [r.status]
                if let v = r.value { _ = ValueFormatter.display(v) }
            } else {
                let (results, errors) = session.run(NotebookDocument(name: "fuzz.kymo", text: text))
                diagnostics = errors + results.flatMap(\.diagnostics)
                statuses = results.map(\.status)
                if !errors.isEmpty, !results.isEmpty { return "static errors but cells ran" }
                for r in results where (r.status == .failed) != !r.diagnostics.isEmpty {
                    return "cell status \(r.status) with \(r.diagnostics.count) diagnostics"
                }
            }
            for d in diagnostics {
                if d.message.isEmpty { return "empty diagnostic message" }
                _ = DiagnosticFormatter.render(d)
            }
            _ = statuses
            for (_, v) in session.globals { _ = ValueFormatter.display(v); _ = ValueFormatter.inline(v) }
        }
        return nil
    }

    func testRandomAndMutatedNotebooks() {
        let long = ProcessInfo.processInfo.environment["KYMO_FUZZ_LONG"] == "1"
        let count = long ? 100_000 : 2_000
        var g = Generator(state: 0x4B594D4F)
        var failures: [String] = []
        for i in 0..<count {
            let input: String
            if i % 4 == 3 || FuzzTests.corpus.isEmpty {
                input = FuzzTests.random(&g)
            } else {
                input = FuzzTests.mutate(FuzzTests.corpus.randomElement(using: &g)!, &g)
            }
            if let problem = FuzzTests.exercise(input) {
                failures.append("input \(i): \(problem)\n\(input)")
                if failures.count > 5 { break }
            }
        }
        XCTAssertFalse(FuzzTests.corpus.isEmpty)
        XCTAssert(failures.isEmpty, failures.joined(separator: "\n---\n"))
    }

    func testCorpusAsIs() {
        for text in FuzzTests.corpus { XCTAssertNil(FuzzTests.exercise(text)) }
    }
}
