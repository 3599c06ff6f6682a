// load_sequences, split, normalize, evaluate and save_sequences from a
// notebook: the same numbers stored as NPY, NPZ, HDF5 and NetCDF (written by
// numpy, h5py and netCDF4) train to bit-identical weights; the protocol
// (file, variable, layout, windows, split, normalization) is printed, so it is
// kept in the cell's recorded output; a model whose frames are not the
// data's is refused naming both.
import Foundation
import XCTest
import TestSupport
import Models
@testable import KymoLanguage
@testable import Notebook

final class SequenceNotebookTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("DatasetsTests/Fixtures/sequences").path

    func session() -> (Session, BufferSink) {
        var options = SessionOptions()
        let sink = BufferSink()
        options.output = sink
        return (Session(options: options), sink)
    }

    /// Trains a small 2-channel 6×10 model on `load` (the load_sequences call) and returns its weights' bits.
    func trainedBits(_ load: String) throws -> [[UInt32]] {
        let (s, sink) = session()
        let text = """
        seed(7)
        let d = \(load)
        let m = sam_convlstm(layers: 1, hidden: 3, height: 6, width: 10, channels: 2, patch: 2, frames_in: 4, frames_out: 4, attention_hidden: 2)
        train(m, d, steps: 3, batch: 2, lr: 0.01)
        """
        let (results, diagnostics) = s.run(NotebookDocument(name: "nb.kymo", text: text))
        XCTAssertEqual(diagnostics.count, 0)
        XCTAssertEqual(results.map(\.status), [.complete], "\(results.flatMap(\.diagnostics).map(\.text)) \(sink.text)")
        guard case .host(let v as ModelValue)? = s.value(named: "m") else {
            XCTFail("the notebook bound no model m")
            return []
        }
        return v.model.parameters.map { p in p.withContiguousData { $0.map(\.bitPattern) } }
    }

    func testSameDataInEveryFormatTrainsBitIdenticalWeights() throws {
        let f = Self.fixtures
        let npy = try trainedBits("load_sequences(\"\(f)/field_ntchw.npy\")")
        XCTAssertFalse(npy.isEmpty)
        for call in ["load_sequences(\"\(f)/field.npz\", variable: \"field\")",
                     "load_sequences(\"\(f)/field_compressed.npz\")",
                     "load_sequences(\"\(f)/field.h5\", variable: \"/radar/field\")",
                     "load_sequences(\"\(f)/field.nc\", variable: \"field\")",
                     "load_sequences(\"\(f)/field_nthwc.npy\", layout: \"NTHWC\")"] {
            XCTAssertEqual(try trainedBits(call), npy, call)
        }
        // and a different file trains to different weights (the comparison can fail)
        XCTAssertNotEqual(try trainedBits("load_sequences(\"\(f)/ints_float32.npy\")"), npy)
    }

    func testProtocolIsPrintedAndWrongFramesAreRefused() throws {
        let (s, sink) = session()
        let f = Self.fixtures
        let text = """
        let raw = load_sequences("\(f)/field_ntchw.npy", frames: 4, stride: 2)
        let parts = normalize(split(raw, train: 4, validation: 2, test: 3), method: "minmax")
        print(parts.train.count, parts.validation.count, parts.test.count, raw.channels, raw.height, raw.width)
        let m = convlstm(layers: 1, hidden: 2, size: 6, channels: 2, frames_in: 2, frames_out: 2)
        train(m, parts.train, steps: 1)
        """
        let (results, _) = s.run(NotebookDocument(name: "nb.kymo", text: text))
        XCTAssertEqual(results.map(\.status), [.failed])
        let out = sink.text
        XCTAssertTrue(out.contains("load_sequences: 9 sequences [4, 2, 6, 10] from field_ntchw.npy (float32 [3, 8, 2, 6, 10] read as NTCHW): 3 series of 8 frames, 2 channels at 6×10, windows of 4 frames every 2"), out)
        XCTAssertTrue(out.contains("split of 9 sequences in order: train 4 (0..<4), validation 1 (4..<6, 1 straddling dropped), test 3 (6..<9)"), out)
        XCTAssertTrue(out.contains("normalize: minmax per channel, fitted: min [-3.0, -3.0], max [9.0, 9.0] on the train part (4 sequences)"), out)
        XCTAssertTrue(out.contains("4 1 3 2 6 10"), out)
        let error = results.flatMap(\.diagnostics).map(\.text).joined()
        XCTAssertTrue(error.contains("train: the dataset's frames are 2×6×10 (channels × height × width) but the model's are 2×6×6; make the model with channels: 2, height: 6, width: 10"), error)
    }

    func testEvaluateInDataUnitsPredictAndSave() throws {
        let (s, sink) = session()
        let f = Self.fixtures
        let dir = ScratchFolders.make("seqnb")
        let text = """
        seed(1)
        let parts = normalize(split(load_sequences("\(f)/field_ntchw.npy"), train: 2, test: 1))
        let m = convlstm(layers: 1, hidden: 2, height: 6, width: 10, channels: 2, frames_in: 4, frames_out: 4)
        train(m, parts.train, steps: 2, batch: 1)
        let r = evaluate(m, parts.test, thresholds: [0, 5])
        print(r.thresholds, r.data_range, r.rmse > 0, r.csi[0] >= 0, r.hits[0] + r.misses[0] + r.false_alarms[0] > 0)
        let p = predict(m, parts.test)
        print(p.count, p.frames, p.channels, p.height, p.width)
        save_sequences("\(dir)/pred.nc", p, variable: "rain")
        let back = load_sequences("\(dir)/pred.nc", variable: "rain")
        print(back.count, back.frames)
        print(evaluate(m, load_sequences("\(f)/field_ntchw.npy")).mse > 0)
        """
        let (results, _) = s.run(NotebookDocument(name: "nb.kymo", text: text))
        XCTAssertEqual(results.map(\.status), [.complete], "\(results.flatMap(\.diagnostics).map(\.text))")
        let lines = sink.text.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains("[0.0, 5.0] 12.0 true true true"), sink.text)   // data range: max − min of train = 12
        XCTAssertTrue(lines.contains("1 4 2 6 10"), sink.text)
        XCTAssertTrue(lines.contains("1 4"), sink.text)
        // predictions in data units: not the normalized [0, 1]-ish values
        guard case .host(let p as DatasetValue)? = s.value(named: "p") else { return XCTFail("no p") }
        let t = try p.dataset.sequence(0)
        XCTAssertTrue(t.toArray().contains { abs($0) > 1.5 }, "predictions are in the data's units (−3 … 9)")
    }
}
