// KernelChoiceTests: results do not depend on which kernels a library would
// pick on another CPU. A small training notebook (the three families, both
// assemblies, a few steps, figures and weights) runs under OPENBLAS_CORETYPE
// set to each kernel family OpenBLAS picks on the CPUs Kymo meets (Prescott,
// Haswell, SkylakeX, Cooperlake, Zen), and every record must be the same:
// printed output, value digests, metric bits, artifact SHA-256.
import Foundation
import XCTest
import Records
import TestSupport

final class KernelChoiceTests: XCTestCase {
    static let notebook = """
    %% Data
    seed(11)
    let data = moving_mnist(train: 8, test: 4, frames: 6, size: 32)

    %% Models
    let cfg = {layers: 2, hidden: 8, kernel: 3, size: 32, patch: 4, frames_in: 3, frames_out: 3}
    let models = [convlstm(cfg), sa_convlstm(cfg, attention_hidden: 4), sam_convlstm(cfg, attention_hidden: 4)]
    let s2s = convlstm(layers: 1, hidden: 8, size: 32, frames_in: 3, frames_out: 1, mode: "seq2seq")

    %% Train
    var hs = []
    for m in models {
      hs = hs + [train(m, data.train, steps: 3, batch: 4, lr: 0.01)]
    }
    let hq = train(s2s, data.train, steps: 2, batch: 2, lr: 0.01, loss: "bce", reduction: "sum")
    for m in models {
      print(evaluate(m, data.test).mse)
    }
    print(hq.loss)

    %% Figures
    plot_loss(hs, labels: ["ConvLSTM", "SA-ConvLSTM", "SAM-ConvLSTM"]).save("figures/loss.svg")
    plot_attention(models[2], data.test[0], layer: 1, query: [16, 16]).save("figures/attention.png")
    save(models[2], "sam.safetensors")
    """

    static let coreTypes = ["Prescott", "Haswell", "SkylakeX", "Cooperlake", "Zen"]

    func testEveryKernelChoiceGivesTheSameRecord() throws {
        let binary = try KymoBinary.require()
        let dir = RecordFixtures.scratch()
        try Self.notebook.write(toFile: dir + "/nb.kymo", atomically: true, encoding: .utf8)
        var records: [(String, RunRecord)] = []
        for core in Self.coreTypes {
            let run = try KymoBinary.execute(binary, ["run", "nb.kymo", "--threads", "2", "--runs", "runs-\(core)"], in: dir,
                                           environment: ["OPENBLAS_CORETYPE": core])
            XCTAssertEqual(run.status, 0, "\(core): \(run.err)")
            let store = RunStore(folder: dir + "/runs-\(core)")
            let id = try XCTUnwrap(store.runIDs().first, core)
            let r = try store.load(id).record
            XCTAssertEqual(r.status, .complete, "\(core): \(r.cells.compactMap(\.error).joined())")
            records.append((core, r))
        }
        let (first, a) = records[0]
        XCTAssertEqual(a.artifacts.count, 3)
        XCTAssertFalse(a.metrics.isEmpty)
        for (core, b) in records.dropFirst() {
            XCTAssertEqual(a.cells.map(\.output), b.cells.map(\.output), "\(first) vs \(core): printed output")
            XCTAssertEqual(a.cells.map(\.valuesSHA256), b.cells.map(\.valuesSHA256), "\(first) vs \(core): value digests")
            XCTAssertEqual(a.metrics, b.metrics, "\(first) vs \(core): metric bits")
            XCTAssertEqual(a.artifacts.map(\.sha256), b.artifacts.map(\.sha256), "\(first) vs \(core): artifact SHA-256")
        }
    }
}
