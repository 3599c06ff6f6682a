// Whole cells against finite differences: the gradient of a random projection
// of one step's outputs with respect to the input, the previous state and
// every parameter (ConvLSTM with each activation, SA, SAM), and a two-layer
// predictor with scheduled sampling over three steps.
import XCTest
import TensorEngine
import TestSupport
@testable import Models

final class CellGradientTests: XCTestCase {
    let stream = RandomStream(seed: 9, name: "cells")

    /// Moves zero-initialized peepholes off zero so their paths carry gradient.
    func jitter(_ ps: [(name: String, tensor: Tensor)]) {
        for (name, p) in ps where name.hasSuffix("W_ci") || name.hasSuffix("W_cf") || name.hasSuffix("W_co") {
            try! p.assign(randomTensor(p.shape, name, low: -0.5, high: 0.5))
        }
    }

    func testConvLSTMCell() throws {
        for act in [Activation.tanh, .sigmoid, .leakyRelu] {
            let cell = ConvLSTMCell(inChannels: 2, hidden: 2, kernel: 3, height: 3, width: 3, activation: act, stream: stream)
            jitter(cell.namedParameters)
            let x = randomTensor([2, 2, 3, 3], "x"), h = randomTensor([2, 2, 3, 3], "h"), c = randomTensor([2, 2, 3, 3], "c")
            // leaky_relu has a kink at 0: a smaller step keeps differences off it
            try gradCheck([x, h, c] + cell.namedParameters.map(\.tensor), eps: act == .leakyRelu ? 1e-3 : 1e-2) { v in
                let (hn, cn) = try cell.step(v[0], h: v[1], c: v[2])
                return try Tensor.concat([hn, cn], axis: 1)
            }
        }
    }

    func testSACell() throws {
        let cell = SACell(inChannels: 2, hidden: 2, kernel: 3, height: 3, width: 3, activation: .tanh, attentionWidth: 2, stream: stream)
        jitter(cell.namedParameters)
        let x = randomTensor([1, 2, 3, 3], "x"), h = randomTensor([1, 2, 3, 3], "h"), c = randomTensor([1, 2, 3, 3], "c")
        try gradCheck([x, h, c] + cell.namedParameters.map(\.tensor)) { v in
            let s = try cell.step(v[0], CellState(h: v[1], c: v[2]), probe: nil)
            return try Tensor.concat([s.h, s.c], axis: 1)
        }
    }

    func testSAMCell() throws {
        let cell = SAMCell(inChannels: 2, hidden: 2, kernel: 3, height: 3, width: 3, activation: .tanh, attentionWidth: 2, stream: stream)
        jitter(cell.namedParameters)
        let x = randomTensor([1, 2, 3, 3], "x"), h = randomTensor([1, 2, 3, 3], "h")
        let c = randomTensor([1, 2, 3, 3], "c"), m = randomTensor([1, 2, 3, 3], "m")
        try gradCheck([x, h, c, m] + cell.namedParameters.map(\.tensor)) { v in
            let s = try cell.step(v[0], CellState(h: v[1], c: v[2], m: v[3]), probe: nil)
            return try Tensor.concat([s.h, s.c, s.m!], axis: 1)
        }
    }

    func testPredictorWithScheduledSampling() throws {
        let cfg = ModelConfig(family: .saConvlstm, mode: .predictor, layers: 2, hidden: 2, kernel: 3, size: 4, channels: 1,
                              patch: 2, framesIn: 2, framesOut: 3, activation: .tanh, attentionHidden: 2)
        let model = try Model(config: cfg, seed: 3)
        jitter(model.namedParameters)
        let frames = randomTensor([2, 4, 1, 4, 4], "frames", low: 0, high: 1)
        let mask: SamplingMask = [[true, false], [false, true]]
        try gradCheck([frames] + model.parameters) { v in try model.forward(v[0], sampling: mask) }
    }
}
