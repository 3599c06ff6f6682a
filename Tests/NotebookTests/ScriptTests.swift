// ScriptTests: the table-driven runner for Tests/NotebookTests/Scripts/*.kymo.
// Each script is a notebook whose comments state what must happen:
//   # expect: TEXT               one line of printed output, in order
//   # expect error: L:C TEXT     a diagnostic at line L, column C whose message
//                                contains TEXT (0:0 for one without a location)
//   # expect note: L:C TEXT      a note of some diagnostic
//   # set: key=value             a --set override
// Printed output must equal the expected lines exactly, and every diagnostic
// (static or from running) must be expected.

import Foundation
import XCTest
@testable import KymoLanguage
@testable import Notebook

final class ScriptTests: XCTestCase {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts")

    struct Expectations {
        var output: [String] = []
        var errors: [(String, String)] = []
        var notes: [(String, String)] = []
        var overrides: [(key: String, value: String)] = []
    }

    static func expectations(_ text: String) -> Expectations {
        var e = Expectations()
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            guard let hash = line.range(of: "# ") else { continue }
            let comment = line[hash.upperBound...]
            func located(_ rest: Substring) -> (String, String) {
                let parts = rest.split(separator: " ", maxSplits: 1)
                return (String(parts.first ?? ""), parts.count > 1 ? String(parts[1]) : "")
            }
            if comment.hasPrefix("expect: ") {
                e.output.append(String(comment.dropFirst("expect: ".count)))
            } else if comment.hasPrefix("expect error: ") {
                e.errors.append(located(comment.dropFirst("expect error: ".count)))
            } else if comment.hasPrefix("expect note: ") {
                e.notes.append(located(comment.dropFirst("expect note: ".count)))
            } else if comment.hasPrefix("set: ") {
                let kv = comment.dropFirst("set: ".count)
                if let eq = kv.firstIndex(of: "=") {
                    e.overrides.append((String(kv[..<eq]), String(kv[kv.index(after: eq)...])))
                }
            }
        }
        return e
    }

    /// Runs one script; returns a description of what did not match, or nil.
    static func run(_ name: String) -> String? {
        guard let text = try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8) else {
            return "\(name): cannot read"
        }
        let expected = expectations(text)
        var options = SessionOptions()
        let sink = BufferSink()
        options.output = sink
        options.overrides = expected.overrides
        options.runID = "test-run"
        options.stepLimit = 1_000_000
        options.maxTensorElements = 1 << 20
        let session = Session(options: options)
        let (results, staticErrors) = session.run(NotebookDocument(name: name, text: text))
        let diagnostics = staticErrors + results.flatMap(\.diagnostics)
        var problems: [String] = []

        var output = sink.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if output.last == "" { output.removeLast() }
        if output != expected.output {
            problems.append("output:\n    got:      \(output)\n    expected: \(expected.output)")
        }
        func position(_ span: SourceSpan?) -> String { span.map { "\($0.start.line):\($0.start.column)" } ?? "0:0" }
        var unmatched = diagnostics.map { (position($0.span), $0.text) }
        for (at, text) in expected.errors {
            if let i = unmatched.firstIndex(where: { $0.0 == at && $0.1.contains(text) }) {
                unmatched.remove(at: i)
            } else {
                problems.append("missing error \(at) \(text)")
            }
        }
        for (at, text) in unmatched { problems.append("unexpected error \(at) \(text)") }
        let notes = diagnostics.flatMap(\.notes).map { (position($0.span), $0.message) }
        for (at, text) in expected.notes where !notes.contains(where: { $0.0 == at && $0.1.contains(text) }) {
            problems.append("missing note \(at) \(text) (notes: \(notes))")
        }
        return problems.isEmpty ? nil : "\(name):\n  " + problems.joined(separator: "\n  ")
    }

    func testScripts() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: ScriptTests.directory.path)
            .filter { $0.hasSuffix(".kymo") }.sorted()
        XCTAssertGreaterThanOrEqual(names.count, 60, "the script suite shrank")
        let failures = names.compactMap(ScriptTests.run)
        XCTAssert(failures.isEmpty, "\(failures.count) of \(names.count) scripts failed:\n" + failures.joined(separator: "\n"))
    }

    /// Every built-in of the catalog is exercised by at least one script.
    func testEveryBuiltinAppearsInAScript() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: ScriptTests.directory.path).filter { $0.hasSuffix(".kymo") }
        let all = try names.map { try String(contentsOf: ScriptTests.directory.appendingPathComponent($0), encoding: .utf8) }
            .joined(separator: "\n")
        for signature in BuiltinCatalog.functions.map(\.signature) {
            XCTAssert(all.contains(signature.name + "("), "no script calls \(signature.name)")
        }
    }
}
