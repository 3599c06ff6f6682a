// HiddenStateTests: the notes `kymo runs show` prints for a kernel session's
// record, from its cell titles (`In [n] · cell k · edited since In [m]`).
import XCTest
import Records

final class HiddenStateTests: XCTestCase {
    func testCellsRunBeforeCellsAboveThemAreFlagged() {
        let titles: [String?] = ["In [1] · cell 1", "In [2] · cell 5", "In [3] · cell 3", "In [4] · cell 4"]
        XCTAssertEqual(HiddenState.notes(titles: titles), ["cell 5 ran before cell 3"])
    }

    func testInOrderSessionsAndOtherRecordsHaveNoNotes() {
        XCTAssertEqual(HiddenState.notes(titles: ["In [1] · cell 1", "In [2] · cell 2", "In [3] · cell 2"]), [])
        XCTAssertEqual(HiddenState.notes(titles: ["input 1", "input 2", nil, "Settings", "In [x] · cell 2"]), [])
        XCTAssertEqual(HiddenState.notes(titles: ["In [1]", "In [2]"]), [])  // no cell ids from the client
    }

    func testEditedCellsAreFlaggedWithBothExecutions() {
        let titles: [String?] = ["In [1] · cell 2", "In [2] · cell 2 · edited since In [1]", "In [3] · edited since In [2]"]
        XCTAssertEqual(HiddenState.notes(titles: titles), [
            "cell 2 was edited after it ran (In [1]); In [2] ran the new text",
            "the cell of In [3] was edited after it ran (In [2]); In [3] ran the new text",
        ])
    }
}
