// save/load: a round trip restores the same bits under PyTorch's names; a file
// with a missing, extra or mis-shaped tensor is refused with a message naming
// it, and the model is left unchanged.
import XCTest
import TensorEngine
import TestSupport
@testable import Models

final class WeightsTests: XCTestCase {
    let config = ModelConfig(family: .samConvlstm, mode: .seq2seq, layers: 2, hidden: 3, kernel: 3, size: 6, channels: 1,
                             framesIn: 2, framesOut: 2, activation: .relu, attentionHidden: 2)

    func testRoundTrip() throws {
        let dir = try temporaryDirectory("weights-roundtrip")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = try Model(config: config, seed: 11), b = try Model(config: config, seed: 12)
        try a.save(to: dir + "/w.safetensors")
        let file = try Safetensors.read(path: dir + "/w.safetensors")
        // every tensor under its state_dict name, in state_dict order, config in the metadata
        XCTAssertEqual(Set(file.names), Set(a.namedParameters.map(\.name)))
        XCTAssertTrue(file.names.contains("sequential.sam-convlstm2.sam_convlstm_cell.attention_memory.w_z.weight"))
        XCTAssertEqual(file.metadata[Model.configMetadataKey], config.json)
        XCTAssertFalse(sameBits(a.parameters[0], b.parameters[5]))
        try b.load(from: dir + "/w.safetensors")
        for (x, y) in zip(a.namedParameters, b.namedParameters) { XCTAssertTrue(sameBits(x.tensor, y.tensor), x.name) }
        let input = randomTensor([1, 2, 1, 6, 6], "in", low: 0, high: 1)
        XCTAssertTrue(sameBits(try withNoGrad { try a.forward(input) }, try withNoGrad { try b.forward(input) }))
    }

    func testRefusalsNameTheTensorAndChangeNothing() throws {
        let dir = try temporaryDirectory("weights-refusals")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let model = try Model(config: config, seed: 1)
        let before = model.parameters.map { $0.detached() }
        var tensors = try Model(config: config, seed: 2).weightsFile().tensors

        func refusal(_ ts: [(name: String, tensor: Tensor)], _ name: String) throws -> String {
            let path = dir + "/" + name
            try Safetensors.write(SafetensorsFile(tensors: ts), path: path)
            do { try model.load(from: path); return "" } catch { return "\(error)" }
        }
        let missingName = "sequential.layernorm2.bias"
        var msg = try refusal(tensors.filter { $0.name != missingName }, "missing.safetensors")
        XCTAssertTrue(msg.contains("missing tensor \(missingName)") && msg.contains("missing.safetensors"), msg)

        msg = try refusal(tensors + [("sequential.extra.weight", Tensor(zeros: [2]))], "extra.safetensors")
        XCTAssertTrue(msg.contains("unexpected tensor sequential.extra.weight"), msg)

        let i = tensors.firstIndex { $0.name == "sequential.conv3d.weight" }!
        tensors[i].tensor = Tensor(zeros: [1, 3, 3, 3, 2])
        msg = try refusal(tensors, "shape.safetensors")
        XCTAssertTrue(msg.contains("tensor sequential.conv3d.weight has shape [1, 3, 3, 3, 2], the model needs [1, 3, 3, 3, 3]"), msg)

        // a file from another model says what it was saved from
        let other = try Model(config: ModelConfig(family: .convlstm, mode: .predictor, layers: 1, hidden: 2, size: 6, patch: 2), seed: 0)
        try other.save(to: dir + "/other.safetensors")
        do { try model.load(from: dir + "/other.safetensors"); XCTFail("loaded another model's weights") } catch {
            XCTAssertTrue("\(error)".contains("the file was saved from another model (ConvLSTM predictor"), "\(error)")
        }
        XCTAssertThrowsError(try model.load(from: dir + "/absent.safetensors")) { e in XCTAssertTrue("\(e)".contains("absent.safetensors")) }
        for (p, q) in zip(model.parameters, before) { XCTAssertTrue(sameBits(p, q), "a refused load changed \(p.name ?? "?")") }
    }
}
