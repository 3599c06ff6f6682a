// IpynbFormatTests: `.ipynb` ↔ `.kymo` — code cells become `%%` cells titled by
// a `## Heading` markdown cell before them, other markdown becomes comments,
// raw cells are skipped, the reverse conversion is a fixed point, and a bad
// document is an error naming the file. `.kymo` → `.ipynb` → `.kymo` is
// byte-exact for every committed notebook and for untitled cells, comments
// and blank lines (the cells' kept `.kymo` text); an edited cell, or one
// without that metadata, is read as Jupyter's own cells are.
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

    /// Untitled cells (`%%`, `%%   `), `#comment` without a space, blank and
    /// whitespace-only lines everywhere (the variants: blank lines before the first `%%`), comments after code, an empty titled
    /// cell, a comment-only cell, `%%Title` without a space, no final newline.
    static let crafted = "# intro\n#no space\n\nlet a = 1\n\n%%\nprint(a)\n\n%%   \n# only a comment\n\n  \nlet b = a + 1\n# after code\n\n"
        + "%% Empty\n%%Tight\n#\n# two\n\nprint(b)\n   \n%% Comments only\n# c\n%%\n\n\nprint(a, b)"

    /// The committed notebooks/*.kymo.
    static func committedNotebooks() throws -> [(name: String, text: String)] {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("notebooks")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".kymo") }.sorted()
        return try names.map { ($0, try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8)) }
    }

    func testKymoToIpynbToKymoIsByteExactForEveryCommittedNotebookAndUntitledCells() throws {
        let notebooks = try Self.committedNotebooks()
        XCTAssertGreaterThanOrEqual(notebooks.count, 9)
        let variants = [Self.crafted, Self.crafted + "\n", "%%\nlet x = 1\n", "# only comments\n\n", "let x = 1", "\n\n%% A\n"]
        for (name, text) in notebooks + variants.enumerated().map { ("crafted \($0.offset)", $0.element) } {
            let json = IpynbFormat.ipynb(kymo: text)
            let back = try IpynbFormat.kymoText(json: json, path: name + ".ipynb")
            XCTAssertEqual(back, text, name)
            XCTAssertEqual(IpynbFormat.ipynb(kymo: back), json, name)
        }
    }

    /// The crafted text's Jupyter cells: type and source.
    func cells(_ json: String) throws -> [[String: Any]] {
        let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        return try XCTUnwrap(root["cells"] as? [[String: Any]])
    }

    func json(_ cells: [[String: Any]]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: ["cells": cells, "nbformat": 4, "metadata": [:] as [String: Any]]), as: UTF8.self)
    }

    func testTheCellsJupyterSeesAreUnchangedByTheKeptText() throws {
        let c = try cells(IpynbFormat.ipynb(kymo: Self.crafted))
        func src(_ cell: [String: Any]) -> String { (cell["source"] as? [String] ?? []).joined() }
        XCTAssertEqual(c.map { "\($0["cell_type"]!): \(src($0))" }, [
            "markdown: intro\nno space", "code: let a = 1",
            "code: print(a)",
            "markdown: only a comment", "code: let b = a + 1\n# after code",
            "markdown: ## Empty", "code: ",
            "markdown: ## Tight\n\ntwo", "code: print(b)",
            "markdown: ## Comments only\nc", "code: ",
            "code: print(a, b)",
        ])
        // Each cell keeps its own lines: together they are the text.
        let kept = c.map { (($0["metadata"] as? [String: Any])?["kymo"] as? [String: Any])?["text"] as? String ?? "?" }
        XCTAssertEqual(kept.joined(), Self.crafted)
        XCTAssertEqual(kept[2], "%%\nprint(a)\n\n")
        XCTAssertEqual(kept[3], "%%   \n# only a comment\n")
    }

    func testAnEditedCellIsReadFromItsSourceAndTheOthersAsWritten() throws {
        var c = try cells(IpynbFormat.ipynb(kymo: Self.crafted))
        // Jupyter: code edited in an untitled cell and in a titled one, a heading renamed.
        c[2]["source"] = ["print(a * 2)\n", "print(a)"]
        c[8]["source"] = "print(b + 1)"
        c[9]["source"] = "## Renamed\nc"
        let text = try IpynbFormat.kymoText(json: try json(c), path: "edited.ipynb")
        let expected = Self.crafted
            .replacingOccurrences(of: "%%\nprint(a)\n\n", with: "%%\nprint(a * 2)\nprint(a)\n")
            .replacingOccurrences(of: "# two\n\nprint(b)\n   \n", with: "# two\nprint(b + 1)\n")
            .replacingOccurrences(of: "%% Comments only\n# c\n", with: "%% Renamed\n# c\n")
        XCTAssertEqual(text, expected)
        XCTAssertEqual(NotebookDocument(name: "edited", text: text).cells.map(\.title),
                       [nil, "", "", "Empty", "Tight", "Renamed", ""])
    }

    func testWithoutTheKeptTextTheCellsAreReadAsJupyterMadeThem() throws {
        var c = try cells(IpynbFormat.ipynb(kymo: Self.crafted))
        for i in c.indices { c[i]["metadata"] = [:] as [String: Any] }
        let text = try IpynbFormat.kymoText(json: try json(c), path: "plain.ipynb")
        XCTAssertEqual(text, """
            # intro
            # no space
            %% cell 1
            let a = 1
            %% cell 2
            print(a)
            # only a comment
            %% cell 3
            let b = a + 1
            # after code
            %% Empty
            %% Tight
            #
            # two
            print(b)
            %% Comments only
            # c
            %% cell 7
            print(a, b)

            """)
        // The same code runs, cell for cell.
        let a = NotebookDocument(name: "a", text: Self.crafted), b = NotebookDocument(name: "b", text: text)
        XCTAssertEqual(a.cells.map { $0.statements.count }, b.cells.map { $0.statements.count })
    }
}
