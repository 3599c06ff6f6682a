// AnalysisDocExamplesTests: the examples of docs/language.md's "Lists and
// analysis" section and its slices example run as written. In each ``` block,
// the `# ` lines are the output the code above them prints; the block runs in
// a fresh session and its printed output must equal them, line for line.

import XCTest
import KymoLanguage
@testable import Notebook

final class AnalysisDocExamplesTests: XCTestCase {
    /// The ``` blocks of `text`.
    static func blocks(_ text: Substring) -> [String] {
        let parts = text.components(separatedBy: "\n```\n")
        // After splitting on fences, the odd-numbered parts are block bodies.
        return stride(from: 1, to: parts.count, by: 2).map { parts[$0] }
    }

    static func examples() throws -> [String] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let doc = try String(contentsOf: root.appendingPathComponent("docs/language.md"), encoding: .utf8)
        let section = try XCTUnwrap(doc.components(separatedBy: "\n### Lists and analysis\n").dropFirst().first)
            .components(separatedBy: "\n### ").first!
        let slices = try XCTUnwrap(doc.components(separatedBy: "**Slices.**").dropFirst().first)
            .components(separatedBy: "\n## ").first!
        return blocks(Substring(section)) + blocks(Substring(slices)).prefix(1)
    }

    func testTheExamplesPrintWhatTheDocSays() throws {
        let examples = try AnalysisDocExamplesTests.examples()
        XCTAssertEqual(examples.count, 3, "the section's examples were found")
        for code in examples {
            let lines = code.split(separator: "\n", omittingEmptySubsequences: false)
            let expected = lines.filter { $0.hasPrefix("# ") }.map { String($0.dropFirst(2)) }
            XCTAssertFalse(expected.isEmpty, "an example without output:\n\(code)")
            var options = SessionOptions()
            let sink = BufferSink()
            options.output = sink
            options.runID = "doc-example"
            let session = Session(options: options)
            let (results, staticErrors) = session.run(NotebookDocument(name: "language.md", text: code + "\n"))
            let diagnostics = staticErrors + results.flatMap(\.diagnostics)
            XCTAssertEqual(diagnostics.map(\.description), [], code)
            var output = sink.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if output.last == "" { output.removeLast() }
            XCTAssertEqual(output, expected, code)
        }
    }

    func testHelpAndCompletionKnowTheAnalysisBuiltins() {
        var options = SessionOptions()
        options.output = BufferSink()
        let s = Session(options: options)
        XCTAssertEqual(s.evaluate(input: "let t = zeros([2, 3])").status, .complete)
        XCTAssertEqual(s.completions(for: "t.arg"), ["t.argmax", "t.argmin"])
        XCTAssertEqual(s.completions(for: "t.to"), ["t.tolist"])
        XCTAssertEqual(s.completions(for: "enu"), ["enumerate"])
        XCTAssertEqual(s.completions(for: "med"), ["median"])
        XCTAssertTrue(s.help("std").hasPrefix("std(xs, ddof: 1) → float"), s.help("std"))
        XCTAssertTrue(s.help("argmax").hasPrefix("argmax(xs) → int"), s.help("argmax"))
        XCTAssertTrue(s.help("tolist").hasPrefix("tensor.tolist()"), s.help("tolist"))
        XCTAssertTrue(s.help("fitler").contains("did you mean 'filter'?"), s.help("fitler"))
    }
}
