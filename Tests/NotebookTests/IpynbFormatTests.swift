// IpynbFormatTests: `.ipynb` ↔ `.kymo` — code cells become `%%` cells titled by
// a `## Heading` markdown cell before them, other markdown becomes comments,
// raw cells are skipped, the reverse conversion is a fixed point, and a bad
// document is an error naming the file.
import XCTest
import Foundation
import KymoLanguage
import Notebook

final class IpynbFormatTests: XCTestCase {
    static let document = """
    {"cells": [
      {"cell_type": "markdown", "metadata": {}, "source": ["# Title\\n", "Some words."]},
      {"cell_type": "markdown", "metadata": {}, "source": "## Settings\\nHow long to train."},
      {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null, "source": ["let steps = 3\\n", "print(steps)"]},
      {"cell_type": "raw", "metadata": {}, "source": "not run"},
      {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null, "source": "print(steps * 2)\\n"}
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    """

    func testCodeCellsBecomeCellsAndMarkdownComments() throws {
        let text = try IpynbFormat.kymoText(json: Self.document, path: "nb.ipynb")
        XCTAssertEqual(text, "# # Title\n# Some words.\n%% Settings\n# How long to train.\nlet steps = 3\nprint(steps)\n%% cell 2\nprint(steps * 2)\n")
        let nb = NotebookDocument(name: "nb.ipynb", text: text)
        XCTAssertEqual(nb.cells.map(\.title), ["Settings", "cell 2"])
        let session = Session()
        let (results, diagnostics) = session.run(nb)
        XCTAssertEqual(diagnostics, [])
        XCTAssertEqual(results.map(\.output), ["3\n", "6\n"])
    }

    func testKymoToIpynbAndBackIsAFixedPoint() throws {
        let kymo = "%% Settings\n# How long to train.\nlet steps = 3\n%% Run\nprint(steps)\n"
        let json = IpynbFormat.ipynb(kymo: kymo, outputs: ["", "3\n"])
        let back = try IpynbFormat.kymoText(json: json, path: "x.ipynb")
        XCTAssertEqual(back, kymo)
        XCTAssertEqual(IpynbFormat.ipynb(kymo: back, outputs: ["", "3\n"]), json)
        let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let cells = try XCTUnwrap(root["cells"] as? [[String: Any]])
        XCTAssertEqual(cells.map { $0["cell_type"] as? String }, ["markdown", "code", "markdown", "code"])
        let outputs = try XCTUnwrap(cells[3]["outputs"] as? [[String: Any]])
        XCTAssertEqual(outputs.first?["text"] as? [String], ["3\n"])
    }

    func testABadDocumentIsAnErrorNamingTheFile() throws {
        for (doc, reason) in [("[1, 2]", "not a JSON object"), ("{\"nbformat\": 4}", "no \"cells\" list"),
                              ("{\"cells\": [{\"source\": \"x\"}], \"nbformat\": 4}", "cell 1 is not an object with a \"cell_type\""),
                              ("{\"cells\": [], \"nbformat\": 3}", "nbformat 3")] {
            XCTAssertThrowsError(try IpynbFormat.kymoText(json: doc, path: "bad.ipynb")) { e in
                XCTAssertTrue("\(e)".hasPrefix("bad.ipynb: error: "), "\(e)")
                XCTAssertTrue("\(e)".contains(reason), "\(e)")
            }
        }
    }
}
