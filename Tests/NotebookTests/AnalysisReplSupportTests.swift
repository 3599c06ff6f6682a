// AnalysisReplSupportTests: `:help` and completion know the analysis
// built-ins and tensor methods (docs/language.md, "Lists and analysis"; its
// examples run in DocExampleTests).

import XCTest
import KymoLanguage
@testable import Notebook

final class AnalysisReplSupportTests: XCTestCase {
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
