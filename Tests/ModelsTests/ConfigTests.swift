// Configuration: validation messages name the key at fault; JSON round trip;
// parameter counts and names; errors a notebook user can cause.
import XCTest
import TensorEngine
import TestSupport
@testable import Models

final class ConfigTests: XCTestCase {
    func refusal(_ c: ModelConfig) -> String {
        do { try c.validate(); return "" } catch { return "\(error)" }
    }

    func testValidationNamesTheProblem() {
        var c = ModelConfig(family: .convlstm, size: 64, patch: 5)
        XCTAssertTrue(refusal(c).contains("patch 5 does not divide size 64"), refusal(c))
        c = ModelConfig(family: .convlstm, kernel: 4)
        XCTAssertTrue(refusal(c).contains("kernel must be odd"), refusal(c))
        c = ModelConfig(family: .saConvlstm, mode: .seq2seq, patch: 4)
        XCTAssertTrue(refusal(c).contains("patch is a predictor option"), refusal(c))
        c = ModelConfig(family: .samConvlstm, layers: 0)
        XCTAssertTrue(refusal(c).contains("layers must be at least 1"), refusal(c))
        c = ModelConfig(family: .samConvlstm, framesOut: 0)
        XCTAssertTrue(refusal(c).contains("frames_out"), refusal(c))
        XCTAssertEqual(refusal(ModelConfig(family: .samConvlstm, patch: 4)), "")
        XCTAssertThrowsError(try Model(config: ModelConfig(family: .convlstm, size: 10, patch: 3), seed: 0))
        XCTAssertThrowsError(try ModelConfig.activation(named: "gelu")) { e in XCTAssertTrue("\(e)".contains("gelu")) }
        XCTAssertEqual(try ModelConfig.activation(named: "leakyRelu"), .leakyRelu)
    }

    func testJSONRoundTripAndSummary() throws {
        let c = ModelConfig(family: .samConvlstm, mode: .predictor, layers: 3, hidden: 16, kernel: 5, size: 32, channels: 2,
                            patch: 4, framesIn: 6, framesOut: 4, activation: .leakyRelu, attentionHidden: 8)
        XCTAssertEqual(try ModelConfig(json: c.json), c)
        XCTAssertEqual(c.summary, "SAM-ConvLSTM predictor: 3 layers of 16, kernel 5, 32×32×2 frames in 4×4 patches (8×8×32), 6 → 4 frames, leaky_relu, attention width 8")
        XCTAssertThrowsError(try ModelConfig(json: "{\"family\":\"convlstm\",\"color\":1}"))
    }

    func testNotebookKeys() throws {
        var c = ModelConfig(family: .saConvlstm)
        try c.set("hidden", 32)
        try c.set("frames_in", 12.0)
        try c.set("activation", "relu")
        try c.set("mode", "seq2seq")
        try c.set("attention_hidden", 4)
        XCTAssertEqual(c, ModelConfig(family: .saConvlstm, mode: .seq2seq, hidden: 32, framesIn: 12, activation: .relu, attentionHidden: 4))
        XCTAssertThrowsError(try c.set("hiden", 3)) { e in XCTAssertTrue("\(e)".contains("unknown key hiden; the keys are layers, hidden"), "\(e)") }
        XCTAssertThrowsError(try c.set("layers", 2.5)) { e in XCTAssertTrue("\(e)".contains("layers must be an integer"), "\(e)") }
        XCTAssertThrowsError(try c.set("mode", "encoder")) { e in XCTAssertTrue("\(e)".contains("unknown mode"), "\(e)") }
    }

    func testParameterCountsAndNames() throws {
        // ConvLSTM predictor, patch 2 on 8×8: layer 1 conv (4+4)→16 k3, layer 2 (4+4)→16, head 4→4
        let c = ModelConfig(family: .convlstm, mode: .predictor, layers: 2, hidden: 4, kernel: 3, size: 8, channels: 1, patch: 2)
        let m = try Model(config: c, seed: 0)
        let conv = 16 * 8 * 9 + 16, peep = 3 * 4 * 4 * 4
        XCTAssertEqual(m.parameterCount, 2 * (conv + peep) + 4 * 4 + 4)
        XCTAssertEqual(m.namedParameters.first?.name, "layers.1.W_ci")
        XCTAssertEqual(m.namedParameters.last?.name, "head.bias")
        XCTAssertTrue(m.description.hasSuffix("— \(Model.grouped(m.parameterCount)) parameters"))
        XCTAssertEqual(Model.grouped(1561040), "1,561,040")
        // initialization is a function of the seed and the parameter's name
        let again = try Model(config: c, seed: 0), other = try Model(config: c, seed: 1)
        XCTAssertTrue(sameBits(m.parameter("layers.2.conv.weight")!, again.parameter("layers.2.conv.weight")!))
        XCTAssertFalse(sameBits(m.parameter("layers.2.conv.weight")!, other.parameter("layers.2.conv.weight")!))
        let bound = 1 / Float(8 * 9).squareRoot()   // PyTorch's default: U(±1/√fan_in)
        XCTAssertLessThanOrEqual(m.parameter("layers.1.conv.weight")!.toArray().map(abs).max()!, bound)
    }

    func testUserErrors() throws {
        let c = ModelConfig(family: .convlstm, mode: .predictor, layers: 1, hidden: 2, kernel: 3, size: 8, channels: 1, patch: 2,
                            framesIn: 3, framesOut: 2)
        let m = try Model(config: c, seed: 0)
        XCTAssertThrowsError(try m.attentionMaps(sequence: Tensor(zeros: [5, 1, 8, 8]), layer: 1, query: (0, 0))) { e in
            XCTAssertEqual("\(e)", "attention: a ConvLSTM model has no attention maps (only sa_convlstm and sam_convlstm do)")
        }
        XCTAssertThrowsError(try m.forward(Tensor(zeros: [1, 3, 1, 8, 6]))) { e in
            XCTAssertTrue("\(e)".contains("[1, 3, 1, 8, 6]") && "\(e)".contains("[B, T, 1, 8, 8]"), "\(e)")
        }
        XCTAssertThrowsError(try m.forward(Tensor(zeros: [1, 2, 1, 8, 8]))) { e in
            XCTAssertTrue("\(e)".contains("at least 3 frames"), "\(e)")
        }
        let out = try m.forward(Tensor(zeros: [1, 3, 1, 8, 8]))
        XCTAssertThrowsError(try m.loss(out, Tensor(zeros: out.shape), kind: .bce, reduction: .mean)) { e in
            XCTAssertTrue("\(e)".contains("use loss: \"mse\""), "\(e)")
        }
        let sa = try Model(config: ModelConfig(family: .saConvlstm, mode: .seq2seq, layers: 1, hidden: 2, size: 8, framesIn: 3), seed: 0)
        XCTAssertThrowsError(try sa.forward(Tensor(zeros: [1, 4, 1, 8, 8]))) { e in
            XCTAssertTrue("\(e)".contains("exactly frames_in = 3"), "\(e)")
        }
        XCTAssertThrowsError(try sa.attentionMaps(sequence: Tensor(zeros: [3, 1, 8, 8]), layer: 2, query: (0, 0))) { e in
            XCTAssertTrue("\(e)".contains("layer 2 does not exist"), "\(e)")
        }
        XCTAssertThrowsError(try sa.attentionMaps(sequence: Tensor(zeros: [3, 1, 8, 8]), layer: 1, query: (8, 0))) { e in
            XCTAssertTrue("\(e)".contains("outside the 8×8 frame"), "\(e)")
        }
    }
}
