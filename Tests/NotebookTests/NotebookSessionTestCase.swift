// NotebookSessionTestCase: the base of the tests that run notebook text in a
// quiet Session and look at what it bound — a figure, a tensor — by name. A
// name the notebook did not bind fails the test (it never skips it).

import XCTest
import Figures
import TensorEngine
import KymoLanguage
@testable import Notebook

class NotebookSessionTestCase: XCTestCase {
    struct Unbound: Error, CustomStringConvertible {
        var name: String, kind: String
        var description: String { "the notebook bound no \(kind) named \(name)" }
    }

    /// A session whose output goes to a buffer; `folder` its working directory.
    func session(folder: String? = nil) -> Session {
        var options = SessionOptions()
        options.output = BufferSink()
        if let folder { options.workingDirectory = folder }
        return Session(options: options)
    }

    /// Runs `text` in `s`: no diagnostics, every cell complete.
    func run(_ s: Session, _ text: String, file: StaticString = #filePath, line: UInt = #line) {
        let (results, diagnostics) = s.run(NotebookDocument(name: "nb.kymo", text: text))
        XCTAssertEqual(diagnostics.count, 0, "\(diagnostics)", file: file, line: line)
        for r in results { XCTAssertEqual(r.status, .complete, "\(r.diagnostics)", file: file, line: line) }
    }

    /// The messages `text` stops with in `s`.
    func failure(_ s: Session, _ text: String) -> String {
        let (results, diagnostics) = s.run(NotebookDocument(name: "nb.kymo", text: text))
        return (diagnostics.map { "\($0)" } + results.flatMap { $0.diagnostics.map { "\($0)" } }).joined(separator: "\n")
    }

    func figure(_ s: Session, _ name: String) throws -> Figure {
        guard case .host(let h)? = s.value(named: name), let f = h as? FigureValue else { throw Unbound(name: name, kind: "figure") }
        return f.figure
    }

    func tensor(_ s: Session, _ name: String) throws -> Tensor {
        guard case .host(let h)? = s.value(named: name), let t = h as? TensorValue else { throw Unbound(name: name, kind: "tensor") }
        return t.tensor
    }
}
