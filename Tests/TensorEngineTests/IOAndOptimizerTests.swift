// safetensors round trips and refusals, optimizers against an independent
// Double implementation of PyTorch's rules, exact state restore, initializers.
import XCTest
import Foundation
import TensorEngine
import TestSupport

final class SafetensorsTests: XCTestCase {
    let dir = NSTemporaryDirectory() + "kymo-st-\(getpid())"
    override func setUp() { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func testRoundTripKeepsOrderValuesAndMetadata() throws {
        let names = ["z.weight", "a.bias", "m"]
        let ts = [randomTensor([2, 3], "1"), randomTensor([4], "2"), randomTensor([1, 1, 2, 2], "3")]
        let file = SafetensorsFile(tensors: Array(zip(names, ts)).map { ($0.0, $0.1) }, metadata: ["format": "pt", "step": "12"])
        let path = dir + "/w.safetensors"
        try Safetensors.write(file, path: path)
        let back = try Safetensors.read(path: path)
        XCTAssertEqual(back.names, names)
        XCTAssertEqual(back.metadata, ["format": "pt", "step": "12"])
        for (a, b) in zip(ts, back.tensors.map(\.tensor)) {
            XCTAssertEqual(a.shape, b.shape)
            XCTAssertEqual(a.toArray().map(\.bitPattern), b.toArray().map(\.bitPattern))
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertEqual(bytes, try Safetensors.encode(file), "encoding is deterministic")
    }

    func testConvertsHalfBFloatAndDouble() throws {
        // Hand-built file: F16 [2] = {1.0, -2.0}, BF16 [1] = {0.5}, F64 [1] = {3.25}
        var data = Data()
        let header = #"{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[4,6]},"d":{"dtype":"F64","shape":[1],"data_offsets":[6,14]}}"#
        var len = UInt64(header.utf8.count).littleEndian
        withUnsafeBytes(of: &len) { data.append(contentsOf: $0) }
        data.append(contentsOf: Array(header.utf8))
        data.append(contentsOf: [0x00, 0x3C, 0x00, 0xC0])          // F16 1.0, -2.0
        data.append(contentsOf: [0x00, 0x3F])                      // BF16 0.5
        var d = (3.25).bitPattern.littleEndian
        withUnsafeBytes(of: &d) { data.append(contentsOf: $0) }
        let f = try Safetensors.decode(data)
        XCTAssertEqual(f.names, ["h", "b", "d"])
        XCTAssertEqual(f["h"]!.toArray(), [1, -2])
        XCTAssertEqual(f["b"]!.toArray(), [0.5])
        XCTAssertEqual(f["d"]!.toArray(), [3.25])
    }

    func testRefusesTruncatedAndInconsistentFiles() throws {
        let good = try Safetensors.encode(SafetensorsFile(tensors: [("w", randomTensor([3, 3], "w"))]))
        let cases: [(Data, String)] = [
            (good.prefix(5), "shorter than"),
            (good.prefix(good.count - 4), "outside the data"),
            (Data([255, 255, 255, 255, 0, 0, 0, 0]) + good.dropFirst(8), "exceeds the file size"),
        ]
        for (data, expected) in cases {
            XCTAssertThrowsError(try Safetensors.decode(data, path: "bad.safetensors")) { e in
                XCTAssertTrue("\(e)".hasPrefix("bad.safetensors: not a valid safetensors file"), "\(e)")
                XCTAssertTrue("\(e)".contains(expected), "\(e)")
            }
        }
        // a shape that does not match its byte count
        var data = Data()
        let header = #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#
        var len = UInt64(header.utf8.count).littleEndian
        withUnsafeBytes(of: &len) { data.append(contentsOf: $0) }
        data.append(contentsOf: Array(header.utf8) + [UInt8](repeating: 0, count: 8))
        XCTAssertThrowsError(try Safetensors.decode(data)) { XCTAssertTrue("\($0)".contains("needs 12"), "\($0)") }
        XCTAssertThrowsError(try Safetensors.read(path: dir + "/missing.safetensors")) {
            XCTAssertTrue("\($0)".contains("missing.safetensors"))
        }
    }

    func testFailedWriteLeavesExistingFileUntouched() throws {
        let path = dir + "/keep.safetensors"
        try Safetensors.write(SafetensorsFile(tensors: [("a", randomTensor([2], "a"))]), path: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try Safetensors.write(SafetensorsFile(tensors: [("a", randomTensor([2], "a")), ("a", randomTensor([2], "b"))]), path: path))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), before)
        XCTAssertThrowsError(try Safetensors.write(SafetensorsFile(tensors: []), path: dir + "/no/such/dir/x.safetensors")) {
            XCTAssertTrue("\($0)".contains("does not exist"), "\($0)")
        }
    }
}

final class OptimizerTests: XCTestCase {
    /// Adam against a Double transcription of torch.optim.Adam's update.
    func testAdamMatchesReferenceRule() throws {
        let p = randomTensor([7], "p").requiringGrad()
        let opt = Adam(parameters: [p], learningRate: 0.01)
        var ref = p.toArray().map(Double.init)
        var m = [Double](repeating: 0, count: 7), v = m
        for step in 1...5 {
            let g = randomTensor([7], "g\(step)")
            p.grad = g
            try opt.update()
            let (b1, b2, eps, lr) = (0.9, 0.999, 1e-8, 0.01)
            for j in 0..<7 {
                let gj = Double(g.toArray()[j])
                m[j] = b1 * m[j] + (1 - b1) * gj
                v[j] = b2 * v[j] + (1 - b2) * gj * gj
                let denom = v[j].squareRoot() / (1 - pow(b2, Double(step))).squareRoot() + eps
                ref[j] -= lr / (1 - pow(b1, Double(step))) * m[j] / denom
            }
        }
        assertClose(p.toArray(), ref.map(Float.init), rtol: 1e-5, atol: 1e-6)
    }

    func testSGDMomentumMatchesReferenceRule() throws {
        let p = randomTensor([5], "p").requiringGrad()
        let opt = SGD(parameters: [p], learningRate: 0.1, momentum: 0.9)
        var ref = p.toArray().map(Double.init)
        var buf: [Double]? = nil
        for step in 1...4 {
            let g = randomTensor([5], "g\(step)")
            p.grad = g
            try opt.update()
            let gd = g.toArray().map(Double.init)
            buf = buf.map { b in zip(b, gd).map { 0.9 * $0 + $1 } } ?? gd
            for j in 0..<5 { ref[j] -= 0.1 * buf![j] }
        }
        assertClose(p.toArray(), ref.map(Float.init), rtol: 1e-6, atol: 1e-6)
    }

    /// Saving state mid-way and restoring into a fresh optimizer continues bit for bit.
    func testStateRestoreIsExact() throws {
        func grads(_ s: Int) -> Tensor { randomTensor([6], "g\(s)") }
        let a = randomTensor([6], "p").requiringGrad()
        let optA = Adam(parameters: [a], learningRate: 0.05)
        for s in 0..<6 { a.grad = grads(s); try optA.update() }

        let b = randomTensor([6], "p").requiringGrad()
        let optB = Adam(parameters: [b], learningRate: 0.05)
        for s in 0..<3 { b.grad = grads(s); try optB.update() }
        let saved = try Safetensors.decode(try Safetensors.encode(SafetensorsFile(tensors: optB.stateTensors() + [("param", b)])))
        let c = saved["param"]!.requiringGrad()
        let optC = Adam(parameters: [c], learningRate: 0.05)
        try optC.restore(state: Dictionary(uniqueKeysWithValues: saved.tensors.map { ($0.name, $0.tensor) }), step: optB.step)
        for s in 3..<6 { c.grad = grads(s); try optC.update() }
        XCTAssertEqual(a.toArray().map(\.bitPattern), c.toArray().map(\.bitPattern))
    }
}

final class InitializerTests: XCTestCase {
    func testDistributionsHaveTheirStatedSpread() {
        var s = RandomStream(seed: 3, name: "init")
        let shape = [64, 32, 3, 3]     // fan_in 288, fan_out 576
        func rms(_ a: [Float]) -> Double {
            var s = 0.0
            for x in a { s += Double(x) * Double(x) }
            return (s / Double(a.count)).squareRoot()
        }
        let k = Initializer.kaimingNormal(gain: Float(2).squareRoot()).weight(shape, stream: &s).toArray()
        let std = rms(k)
        XCTAssertEqual(std, (2.0 / 288).squareRoot(), accuracy: 0.003)
        let x = Initializer.xavierNormal.weight(shape, stream: &s).toArray()
        let sx = rms(x)
        XCTAssertEqual(sx, (2.0 / 864).squareRoot(), accuracy: 0.002)
        let u = Initializer.torchDefault.weight(shape, stream: &s).toArray()
        let bound = Float(1 / 288.0.squareRoot())
        XCTAssertLessThanOrEqual(u.map(abs).max()!, bound)
        XCTAssertGreaterThan(u.map(abs).max()!, bound * 0.99)
        XCTAssertTrue(Initializer.zeros.weight([3], stream: &s).toArray().allSatisfy { $0 == 0 })
    }

    func testStreamsAreStableAndIndependent() {
        var a = RandomStream(seed: 5, name: "x"), b = RandomStream(seed: 5, name: "x"), c = RandomStream(seed: 5, name: "y")
        let ta = Tensor.normal([1001], stream: &a), tb = Tensor.normal([1001], stream: &b), tc = Tensor.normal([1001], stream: &c)
        XCTAssertEqual(ta.toArray(), tb.toArray())
        XCTAssertNotEqual(ta.toArray(), tc.toArray())
        XCTAssertEqual(a.position, 501)
        // mean ≈ 0, variance ≈ 1 over a larger draw; uniform in [0, 1)
        var s = RandomStream(seed: 1, name: "moments")
        let z = Tensor.normal([200_000], stream: &s).toArray()
        let mean = z.reduce(0, +) / Float(z.count)
        var varz: Float = 0
        for x in z { varz += (x - mean) * (x - mean) }
        varz /= Float(z.count)
        XCTAssertEqual(mean, 0, accuracy: 0.01)
        XCTAssertEqual(varz, 1, accuracy: 0.01)
        let u = Tensor.uniform([100_000], stream: &s).toArray()
        XCTAssertTrue(u.allSatisfy { $0 >= 0 && $0 < 1 })
        // a fill is the same whatever the thread count
        Engine.configure(threads: 1)
        var s1 = RandomStream(seed: 2, name: "t"); let one = Tensor.normal([50_001], stream: &s1).toArray()
        Engine.configure(threads: 2)
        var s2 = RandomStream(seed: 2, name: "t"); let two = Tensor.normal([50_001], stream: &s2).toArray()
        XCTAssertEqual(one.map(\.bitPattern), two.map(\.bitPattern))
    }
}
