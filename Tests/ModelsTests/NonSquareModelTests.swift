// Models on frames of any channels and any H × W: the config keys height and
// width (size the square shorthand, and a square config's JSON unchanged),
// patch dividing both, every family in both modes on 2-channel 24×40 frames
// (shapes, attention over H·W/p² positions), and finite-difference gradients
// of whole non-square, multi-channel models.
import XCTest
import TensorEngine
import TestSupport
@testable import Models

final class NonSquareModelTests: XCTestCase {
    func testHeightWidthKeysAndJSON() throws {
        let square = ModelConfig(family: .samConvlstm, size: 64, patch: 4)
        XCTAssertTrue(square.json.contains("\"size\":64"))
        XCTAssertFalse(square.json.contains("height"))
        XCTAssertEqual(square.json, "{\"family\":\"sam_convlstm\",\"mode\":\"predictor\",\"layers\":2,\"hidden\":64,\"kernel\":3,\"size\":64,\"channels\":1,\"patch\":4,\"frames_in\":10,\"frames_out\":10,\"activation\":\"tanh\",\"attention_hidden\":16}")
        var c = ModelConfig(family: .convlstm)
        try c.set("height", 24)
        try c.set("width", 40)
        try c.set("channels", 2)
        XCTAssertEqual([c.height, c.width, c.channels], [24, 40, 2])
        XCTAssertTrue(c.json.contains("\"height\":24,\"width\":40"))
        XCTAssertFalse(c.json.contains("size"))
        XCTAssertEqual(try ModelConfig(json: c.json), c)
        XCTAssertEqual(try ModelConfig(json: square.json), square)
        XCTAssertTrue(c.summary.contains("24×40×2 frames"), c.summary)
        try c.set("size", 32)                      // the square shorthand sets both
        XCTAssertEqual([c.height, c.width], [32, 32])
        XCTAssertThrowsError(try ModelConfig(json: "{\"family\":\"convlstm\",\"mode\":\"predictor\",\"layers\":1,\"hidden\":2,\"kernel\":3,\"size\":8,\"height\":8,\"width\":8,\"channels\":1,\"patch\":1,\"frames_in\":1,\"frames_out\":1,\"activation\":\"tanh\",\"attention_hidden\":2}"))
    }

    func testPatchMustDivideBoth() throws {
        XCTAssertNoThrow(try ModelConfig(family: .convlstm, height: 24, width: 40, patch: 4).validate())
        XCTAssertNoThrow(try ModelConfig(family: .convlstm, height: 24, width: 40, patch: 8).validate())
        for p in [3, 16] {
            XCTAssertThrowsError(try ModelConfig(family: .convlstm, height: 24, width: 40, patch: p).validate()) { e in
                XCTAssertTrue("\(e)".contains("patch \(p) does not divide height 24 and width 40"), "\(e)")
            }
        }
        XCTAssertThrowsError(try ModelConfig(family: .convlstm, height: 0, width: 40).validate()) { e in
            XCTAssertTrue("\(e)".contains("height must be at least 1"), "\(e)")
        }
    }

    func testEveryFamilyAndModeOnTwoChannelNonSquareFrames() throws {
        let x = randomTensor([2, 5, 2, 24, 40], "frames", low: 0, high: 1)
        for family in ModelFamily.allCases {
            for mode in AssemblyMode.allCases {
                let p = mode == .predictor ? 4 : 1
                let cfg = ModelConfig(family: family, mode: mode, layers: 2, hidden: 4, kernel: 3, height: 24, width: 40,
                                      channels: 2, patch: p, framesIn: 3, framesOut: 2, attentionHidden: 2)
                let model = try Model(config: cfg, seed: 1)
                let label = "\(family) \(mode)"
                XCTAssertEqual(ModelFootprint(config: cfg).parameters, model.parameterCount, label)
                let peephole = try XCTUnwrap(model.namedParameters.first { $0.name.hasSuffix("W_ci") }?.tensor)
                XCTAssertEqual(peephole.shape, [4, 24 / p, 40 / p], label)
                let out = try withNoGrad { try model.forward(mode == .seq2seq ? try x.slice(axis: 1, start: 0, length: 3) : x) }
                XCTAssertEqual(out.shape, [2, mode == .predictor ? 2 : 1, 2, 24, 40], label)
                XCTAssertTrue(out.toArray().allSatisfy { $0.isFinite }, label)
                let predicted = try model.predict(x)
                XCTAssertEqual(predicted.shape, [2, 2, 2, 24, 40], label)
                if family.hasAttention {
                    // attention over H·W/p² positions: a row per step, of 6·10 (p 4) or 24·40 cells
                    let maps = try model.attentionMaps(sequence: try x.select(axis: 0, index: 0), layer: 2, query: (23, 39))
                    XCTAssertEqual(maps.maps.shape, [cfg.steps, 24 / p, 40 / p], label)
                    XCTAssertEqual(maps.gridQuery.y, 23 / p); XCTAssertEqual(maps.gridQuery.x, 39 / p)
                    let pixels = try maps.pixelMaps()
                    XCTAssertEqual(pixels.shape, [cfg.steps, 24, 40], label)
                    let values = pixels.toArray()
                    for s in 0..<cfg.steps {
                        let sum = (0..<(24 * 40)).reduce(0.0) { $0 + Double(values[s * 960 + $1]) }
                        XCTAssertEqual(sum, 1, accuracy: 1e-4, label)
                    }
                    XCTAssertThrowsError(try model.attentionMaps(sequence: try x.select(axis: 0, index: 0), layer: 1, query: (24, 0)))
                }
                // a frame of the wrong shape is refused naming both shapes
                XCTAssertThrowsError(try model.forward(randomTensor([1, 5, 2, 40, 24], "t"))) { e in
                    XCTAssertTrue("\(e)".contains("[B, T, 2, 24, 40]"), "\(e)")
                }
            }
        }
    }

    func testGradientsOfNonSquareMultiChannelModels() throws {
        for (family, mode, patch) in [(ModelFamily.samConvlstm, AssemblyMode.predictor, 2), (.saConvlstm, .seq2seq, 1), (.convlstm, .predictor, 1)] {
            let cfg = ModelConfig(family: family, mode: mode, layers: 1, hidden: 2, kernel: 3, height: 4, width: 6, channels: 2,
                                  patch: patch, framesIn: 2, framesOut: 2, activation: .tanh, attentionHidden: 2)
            let model = try Model(config: cfg, seed: 5)
            for (name, p) in model.namedParameters where name.hasSuffix("W_ci") || name.hasSuffix("W_cf") || name.hasSuffix("W_co") {
                try p.assign(randomTensor(p.shape, name, low: -0.5, high: 0.5))
            }
            let frames = randomTensor([1, 2, 2, 4, 6], "frames", low: 0, high: 1)
            try gradCheck([frames] + model.parameters) { v in try model.forward(v[0]) }
        }
    }
}
