// A user's own data end to end through the `kymo` binary: a 2-channel 24×40
// NetCDF file (written by netCDF4: Tests/DatasetsTests/Fixtures/sequences)
// is loaded, split, normalized, and trains all three families in both modes;
// evaluate reports thresholds in data units, predictions are saved as NetCDF.
// The record lists the data file as an input (SHA-256) and holds the
// protocol lines; `kymo replay` is identical; after the file changes a replay
// names it.
import Foundation
import XCTest
import Records
import TestSupport

final class YourDataEndToEndTests: XCTestCase {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("DatasetsTests/Fixtures/sequences/two_channel_24x40.nc").path

    static let notebook = """
    %% Data
    seed(5)
    let raw = load_sequences("two.nc", variable: "field", frames: 6, stride: 2)
    let parts = normalize(split(raw, train: 0.5, test: 0.5), method: "minmax")

    %% Train
    let models = [
      convlstm(layers: 1, hidden: 3, height: 24, width: 40, channels: 2, patch: 4, frames_in: 3, frames_out: 3),
      sa_convlstm(layers: 1, hidden: 3, height: 24, width: 40, channels: 2, patch: 4, frames_in: 3, frames_out: 3, attention_hidden: 2),
      sam_convlstm(layers: 1, hidden: 3, height: 24, width: 40, channels: 2, patch: 4, frames_in: 3, frames_out: 3, attention_hidden: 2),
      convlstm(layers: 1, hidden: 3, height: 24, width: 40, channels: 2, frames_in: 3, frames_out: 3, mode: "seq2seq"),
      sa_convlstm(layers: 1, hidden: 3, height: 24, width: 40, channels: 2, frames_in: 3, frames_out: 3, mode: "seq2seq", attention_hidden: 2),
      sam_convlstm(layers: 1, hidden: 3, height: 24, width: 40, channels: 2, frames_in: 3, frames_out: 3, mode: "seq2seq", attention_hidden: 2),
    ]
    for m in models {
      let h = train(m, parts.train, steps: 2, batch: 2, lr: 0.01)
      let r = evaluate(m, parts.test, thresholds: [50, 150])
      print(m.family, m.config.mode, h.loss[1], r.rmse, r.csi[0])
    }

    %% Save
    save_sequences("pred.nc", predict(models[2], parts.test), variable: "field")
    """

    func testTwoChannelNonSquareDataTrainsEveryFamilyAndReplaysIdentical() throws {
        let binary = try KymoBinary.require()
        let dir = RecordFixtures.scratch(name)
        try Self.notebook.write(toFile: dir + "/nb.kymo", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: Self.fixture, toPath: dir + "/two.nc")
        let run = try KymoBinary.execute(binary, ["run", "nb.kymo", "--threads", "2"], in: dir)
        XCTAssertEqual(run.status, 0, run.out + run.err)
        let id = try XCTUnwrap(RunStore(folder: dir + "/runs").runIDs().first)
        let record = try RunStore(folder: dir + "/runs").load(id).record
        let input = try XCTUnwrap(record.inputs?.first { $0.name == "two.nc" }, "\(record.inputs ?? [])")
        XCTAssertEqual(input.kind, "sequences")
        XCTAssertEqual(input.sha256, try RecordHash.file(at: dir + "/two.nc").sha256)
        let output = record.cells.map(\.output).joined()
        XCTAssertTrue(output.contains("load_sequences: 8 sequences [6, 2, 24, 40] from two.nc (uint8 [4, 8, 2, 24, 40] read as NTCHW)"), output)
        XCTAssertTrue(output.contains("windows of 6 frames every 2"), output)
        XCTAssertTrue(output.contains("split of 8 sequences in order: train 4 (0..<4), test 4 (4..<8)"), output)
        XCTAssertTrue(output.contains("normalize: minmax per channel, fitted: min [0.0, 0.0]"), output)
        for family in ["ConvLSTM predictor", "SA-ConvLSTM predictor", "SAM-ConvLSTM predictor",
                       "ConvLSTM seq2seq", "SA-ConvLSTM seq2seq", "SAM-ConvLSTM seq2seq"] {
            XCTAssertTrue(output.contains(family + " "), "\(family) missing in\n\(output)")
        }
        XCTAssertTrue(record.artifacts.contains { $0.path == "pred.nc" }, "\(record.artifacts)")
        let r = try KymoBinary.execute(binary, ["replay", id], in: dir)
        XCTAssertEqual(r.status, 0, r.out + r.err)
        XCTAssertEqual(r.out.split(separator: "\n").first, "identical", r.out)
        // the data file changes: the replay names it
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: dir + "/two.nc"))
        handle.seekToEndOfFile(); handle.write(Data([0])); handle.closeFile()
        let changed = try KymoBinary.execute(binary, ["replay", id], in: dir)
        XCTAssertNotEqual(changed.status, 0)
        XCTAssertTrue((changed.out + changed.err).contains("input changed before the replay: two.nc"), changed.out + changed.err)
    }

    /// notebooks/your-data.kymo as shipped, at a few steps: it runs, reports the
    /// scores in mm/h, writes its NetCDF predictions and records rain.nc as an input.
    func testTheYourDataNotebookRuns() throws {
        let binary = try KymoBinary.require()
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let dir = RecordFixtures.scratch(name)
        try FileManager.default.createDirectory(atPath: dir + "/notebooks/data", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: repo + "/notebooks/your-data.kymo", toPath: dir + "/notebooks/your-data.kymo")
        try FileManager.default.copyItem(atPath: repo + "/notebooks/data/rain.nc", toPath: dir + "/notebooks/data/rain.nc")
        let run = try KymoBinary.execute(binary, ["run", "notebooks/your-data.kymo", "--set", "steps=4", "--runs", "runs"], in: dir)
        XCTAssertEqual(run.status, 0, run.out + run.err)
        XCTAssertTrue(run.out.contains("split of 44 sequences in order: train 22 (0..<22), validation 11 (22..<33), test 11 (33..<44)"), run.out)
        XCTAssertTrue(run.out.contains("at 5.0 mm/h: CSI"), run.out)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/figures/your-data/rain-predictions.nc"))
        let id = try XCTUnwrap(RunStore(folder: dir + "/runs").runIDs().first)
        let record = try RunStore(folder: dir + "/runs").load(id).record
        XCTAssertEqual(record.inputs?.first { $0.name == "notebooks/data/rain.nc" }?.sha256, try RecordHash.file(at: repo + "/notebooks/data/rain.nc").sha256)
    }

    /// A folder of PNG frames: each frame is an input, and a confined replay
    /// (which has only the recorded frames, not the folder) is identical.
    func testAPNGFolderReplaysIdentical() throws {
        let binary = try KymoBinary.require()
        let dir = RecordFixtures.scratch(name)
        try FileManager.default.copyItem(atPath: (Self.fixture as NSString).deletingLastPathComponent + "/grey_frames", toPath: dir + "/frames")
        try "let d = load_sequences(\"frames\")\nprint(d.count, d.frames, d[0].sum().item())\n".write(toFile: dir + "/png.kymo", atomically: true, encoding: .utf8)
        let run = try KymoBinary.execute(binary, ["run", "png.kymo"], in: dir)
        XCTAssertEqual(run.status, 0, run.out + run.err)
        XCTAssertTrue(run.out.contains("1 3 7035.0"), run.out)
        let id = try XCTUnwrap(RunStore(folder: dir + "/runs").runIDs().first)
        let record = try RunStore(folder: dir + "/runs").load(id).record
        XCTAssertEqual(record.inputs?.map(\.name), ["frames/frame_000.png", "frames/frame_001.png", "frames/frame_002.png"])
        let r = try KymoBinary.execute(binary, ["replay", id], in: dir)
        XCTAssertEqual(r.out.split(separator: "\n").first, "identical", r.out + r.err)
    }
}
