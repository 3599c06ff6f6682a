// Forward and backward of the engine's ops against golden values computed by
// PyTorch (reference/gen_engine_goldens.py; see Goldens/README.md). Tolerance:
// 1e-4 relative plus 2e-6 of the tensor's largest magnitude (the goldens are
// correctly rounded float64 results; float32 evaluation order differs).
import XCTest
import Foundation
import TensorEngine
import TestSupport

final class GoldenTests: XCTestCase {
    override func setUp() { Engine.configure(threads: 2) }

    func golden(_ name: String) throws -> (SafetensorsFile, [String: Any]) {
        let url = Bundle.module.url(forResource: "Goldens/\(name)", withExtension: "safetensors")
            ?? Bundle.module.resourceURL!.appendingPathComponent("Goldens/\(name).safetensors")
        let f = try Safetensors.read(path: url.path)
        let args = (try? JSONSerialization.jsonObject(with: Data((f.metadata["args"] ?? "{}").utf8))) as? [String: Any] ?? [:]
        return (f, args)
    }

    func compare(_ got: Tensor?, _ expected: Tensor?, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let got, let expected else { XCTFail("\(what): missing", file: file, line: line); return }
        let scale = expected.toArray().map(abs).max() ?? 0
        assertClose(got, expected, rtol: 1e-4, atol: 2e-6 * max(scale, 1e-3), what, file: file, line: line)
    }

    /// Runs `op` on the file's inputs, back-propagates `grad_out`, checks out and the gradient of
    /// every input. A golden without `grad_out` or without some input's gradient is a failure
    /// naming the golden and the missing tensor, never a skipped check.
    func check(_ name: String, inputs: [String] = ["x"], file: StaticString = #filePath, line: UInt = #line,
               op: ([Tensor], [String: Any]) throws -> Tensor) throws {
        let (f, args) = try golden(name)
        let xs = try inputs.map {
            try XCTUnwrap(f[$0], "golden \(name).safetensors has no input '\($0)'", file: file, line: line).requiringGrad()
        }
        let out = try op(xs, args)
        compare(out, f["out"], "\(name): out", file: file, line: line)
        let seed = try XCTUnwrap(f["grad_out"], "golden \(name).safetensors has no 'grad_out': the backward pass goes unchecked",
                                 file: file, line: line)
        try out.backward(seed: seed.reshapedForSeed(out.shape))
        for (n, x) in zip(inputs, xs) {
            guard let expected = f["grad_" + n] else {
                XCTFail("golden \(name).safetensors has no 'grad_\(n)': the gradient of '\(n)' goes unchecked; "
                        + "regenerate it with reference/gen_engine_goldens.py", file: file, line: line)
                continue
            }
            compare(x.grad, expected, "\(name): grad_\(n)", file: file, line: line)
        }
    }

    func testConvolutions() throws {
        for name in ["conv2d_3x3_same", "conv2d_5x5_pad1", "conv2d_1x1"] {
            try check(name, inputs: ["x", "w", "b"]) { xs, args in
                let p = args["padding"] as! [Int]
                return try xs[0].conv2d(weight: xs[1], bias: xs[2], padding: (p[0], p[1]))
            }
        }
        try check("conv3d_3x3x3_pad1", inputs: ["x", "w", "b"]) { xs, _ in try xs[0].conv3d(weight: xs[1], bias: xs[2], padding: 1) }
    }

    func testMatmulSoftmaxLayerNorm() throws {
        try check("matmul_batched", inputs: ["x", "w"]) { xs, _ in try xs[0].matmul(xs[1]) }
        try check("softmax_last") { xs, _ in try xs[0].softmax(axis: -1) }
        try check("softmax_axis1") { xs, _ in try xs[0].softmax(axis: 1) }
        try check("layer_norm", inputs: ["x", "w", "b"]) { xs, _ in
            try xs[0].layerNorm(normalizedRank: 3, weight: xs[1], bias: xs[2], eps: 1e-5)
        }
    }

    func testLosses() throws {
        for (name, loss) in [("mse_mean", "mse"), ("mse_sum", "mse"), ("bce_mean", "bce"), ("bce_sum", "bce")] {
            let (f, _) = try golden(name)
            let reduction: Reduction = name.hasSuffix("sum") ? .sum : .mean
            try check(name) { xs, _ in
                loss == "mse" ? try xs[0].mseLoss(f["target"]!, reduction: reduction) : try xs[0].bceLoss(f["target"]!, reduction: reduction)
            }
        }
    }

    func testElementwiseAndPatching() throws {
        try check("sigmoid") { xs, _ in xs[0].sigmoid() }
        try check("tanh") { xs, _ in xs[0].tanh() }
        try check("relu") { xs, _ in xs[0].relu() }
        try check("leaky_relu") { xs, _ in xs[0].leakyRelu(slope: 0.01) }
        try check("pixel_unshuffle_2") { xs, _ in try xs[0].spaceToDepth(2) }
        try check("pixel_shuffle_2") { xs, _ in try xs[0].depthToSpace(2) }
    }
}

extension Tensor {
    func reshapedForSeed(_ shape: [Int]) throws -> Tensor { self.shape == shape ? self : try reshaped(shape) }
}
