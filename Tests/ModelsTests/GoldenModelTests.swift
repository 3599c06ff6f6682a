// Each family in each assembly against PyTorch (reference/gen_model_goldens.py):
// load the state_dict, run forward, take the golden loss (seq2seq: BCE sum,
// predictor: MSE mean) and compare the output, the loss, the input gradient,
// every parameter gradient, and the attention rows, tensor by tensor.
import XCTest
import TensorEngine
@testable import Models

final class GoldenModelTests: XCTestCase {
    func testSeq2SeqConvLSTM() throws { try check("seq2seq_convlstm") }
    func testSeq2SeqSAConvLSTM() throws { try check("seq2seq_sa_convlstm") }
    func testSeq2SeqSAMConvLSTM() throws { try check("seq2seq_sam_convlstm") }
    func testPredictorConvLSTM() throws { try check("predictor_convlstm") }
    func testPredictorSAConvLSTM() throws { try check("predictor_sa_convlstm") }
    func testPredictorSAMConvLSTM() throws { try check("predictor_sam_convlstm") }

    func check(_ stem: String) throws {
        let weights = try Goldens.read("\(stem).weights.safetensors")
        let data = try Goldens.read("\(stem).data.safetensors")
        let config = try Goldens.config(of: data)
        let model = try Model(config: config, seed: 1)
        // state_dict names and order are exactly PyTorch's (the file itself is sorted by name)
        XCTAssertEqual(model.namedParameters.map(\.name), manifest(stem)["parameters"] as? [String], "\(stem): parameter names")
        XCTAssertEqual(Set(model.namedParameters.map(\.name)), Set(weights.names), "\(stem): weight file names")
        try model.load(from: Goldens.path("\(stem).weights.safetensors"))

        // Tolerance per tensor, relative to its largest magnitude: 1e-4. A few
        // attention gradients (query/key weights) come out of heavy cancellation:
        // PyTorch's own float32 run lands 5e-6…3e-5 from the float64 golden on
        // them, and injecting 2-ulp noise into its sigmoid (or 3e-7 into tanh,
        // the accuracy of the engine's vectorized kernels) moves them to
        // 1e-4…2.1e-4 (measured, see the report). Tensors the manifest flags
        // that way (float32 error ≥ 5e-6) get 3e-4; every other tensor 1e-4.
        let f32 = (manifest(stem)["f32_errors"] as? [String: Any] ?? [:]).compactMapValues { ($0 as? NSNumber)?.doubleValue }
        func tol(_ name: String) -> Double { (f32[name] ?? 0) >= 5e-6 ? 3e-4 : 1e-4 }
        let zero = Set(zeroGradients(data))

        let isSeq2Seq = config.mode == .seq2seq
        let input = try XCTUnwrap(isSeq2Seq ? data["input_btchw"] : data["input"]).detached().requiringGrad()
        let target = try XCTUnwrap(data["target"]).detached()
        let target5 = try target.reshaped(isSeq2Seq ? [target.shape[0], 1, config.channels, config.size, config.size] : target.shape)
        let output = try model.forward(input)
        assertRelativeClose(output, try XCTUnwrap(data["output"]), tol: tol("output"), "\(stem) output")
        let loss = try model.loss(output, target5, kind: isSeq2Seq ? .bce : .mse, reduction: isSeq2Seq ? .sum : .mean)
        assertRelativeClose(loss, try XCTUnwrap(data["loss"]), tol: tol("loss"), "\(stem) loss")
        try loss.backward()
        assertRelativeClose(try XCTUnwrap(input.grad), try XCTUnwrap(data["grad_input"]), tol: tol("grad_input"), "\(stem) grad_input")

        var largest: Float = 0
        for (name, p) in model.namedParameters where !zero.contains(name) {
            let g = try XCTUnwrap(p.grad, "\(stem): \(name) got no gradient")
            let golden = try XCTUnwrap(data["grad.\(name)"], "\(stem): no golden gradient for \(name)")
            XCTAssertEqual(g.shape, golden.shape, "\(stem) grad \(name) shape")
            assertRelativeClose(g, golden, tol: tol("grad.\(name)"), "\(stem) grad \(name)")
            largest = max(largest, golden.toArray().map(abs).max() ?? 0)
        }
        // analytically zero gradients (key biases under softmax): absolute check
        for name in zero {
            let g = try XCTUnwrap(model.parameter(name)?.grad, "\(stem): \(name) got no gradient")
            let worst = g.toArray().map(abs).max() ?? 0
            XCTAssertLessThanOrEqual(worst, 1e-4 * largest, "\(stem) grad \(name) should vanish")
        }
        model.zeroGradients()

        if config.family.hasAttention { try checkAttention(stem, model, config, data, input.detached()) }
    }

    func checkAttention(_ stem: String, _ model: Model, _ config: ModelConfig, _ data: SafetensorsFile, _ input: Tensor) throws {
        let b = input.shape[0]
        for layer in 1...config.layers {
            if config.mode == .seq2seq {
                // trace.attention{n}.row: [B, T, H, W], query pixel (4, 4)
                let golden = try XCTUnwrap(data["trace.attention\(layer).row"])
                for s in 0..<b {
                    let seq = try input.select(axis: 0, index: s)
                    let maps = try model.attentionMaps(sequence: seq, layer: layer, query: (4, 4))
                    assertRelativeClose(maps.maps, try golden.select(axis: 0, index: s), tol: 1e-4, "\(stem) attention layer \(layer) sample \(s)")
                    XCTAssertEqual(maps.patch, 1)
                }
            } else {
                // trace.attention{n}: [B, S, N, N] on the patch grid; query pixel (5, 2) → patch (2, 1) → row 2·4 + 1
                let golden = try XCTUnwrap(data["trace.attention\(layer)"])
                let g = config.gridWidth, row = 2 * g + 1
                for s in 0..<b {
                    let seq = try input.select(axis: 0, index: s)
                    let maps = try model.attentionMaps(sequence: seq, layer: layer, query: (5, 2))
                    XCTAssertEqual(maps.gridQuery.y, 2); XCTAssertEqual(maps.gridQuery.x, 1)
                    let want = try golden.select(axis: 0, index: s).slice(axis: 1, start: row, length: 1)
                        .reshaped([config.steps, g, g])
                    assertRelativeClose(maps.maps, want, tol: 1e-4, "\(stem) attention layer \(layer) sample \(s)")
                    // pixel maps: each patch's weight spread over its p×p pixels, each map sums to 1
                    let px = try maps.pixelMaps()
                    XCTAssertEqual(px.shape, [config.steps, config.size, config.size])
                    for t in 0..<config.steps {
                        let sum = try px.select(axis: 0, index: t).sum().item()
                        XCTAssertEqual(sum, 1, accuracy: 1e-5)
                    }
                }
            }
        }
    }

    /// The manifest entry of a case: config, parameter names in state_dict
    /// order, and the per-tensor float32 error PyTorch itself reaches.
    func manifest(_ stem: String) -> [String: Any] {
        guard let json = FileManager.default.contents(atPath: Goldens.path("models_manifest.json")),
              let obj = try? JSONSerialization.jsonObject(with: json) as? [String: Any],
              let cases = obj["cases"] as? [[String: Any]],
              let mine = cases.first(where: { ($0["case"] as? String) == stem }) else { return [:] }
        return mine
    }

    func zeroGradients(_ data: SafetensorsFile) -> [String] {
        guard let s = data.metadata["zero_gradients"],
              let list = try? JSONSerialization.jsonObject(with: Data(s.utf8)) as? [String] else { return [] }
        return list
    }
}
