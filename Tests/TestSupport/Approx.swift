// TestSupport: the one approximate-equality helper (explicit rtol/atol, caller
// location passed on), finite-difference gradient checks, and golden loading.
import XCTest
import TensorEngine

/// Asserts |a − b| ≤ atol + rtol·|b| elementwise; reports the worst element.
public func assertClose(_ a: [Float], _ b: [Float], rtol: Float = 1e-5, atol: Float = 1e-6, _ message: String = "",
                        file: StaticString = #filePath, line: UInt = #line) {
    guard a.count == b.count else {
        XCTFail("\(message): sizes differ (\(a.count) vs \(b.count))", file: file, line: line)
        return
    }
    var worst = -1, worstExcess: Float = 0
    for i in 0..<a.count {
        let diff = abs(a[i] - b[i])
        let allowed = atol + rtol * abs(b[i])
        if !(diff <= allowed) {   // also catches NaN
            let excess = diff.isNaN ? .infinity : diff - allowed
            if worst < 0 || excess > worstExcess { worst = i; worstExcess = excess }
        }
    }
    if worst >= 0 {
        XCTFail("\(message): element \(worst): \(a[worst]) vs expected \(b[worst]) (rtol \(rtol), atol \(atol))", file: file, line: line)
    }
}

public func assertClose(_ a: Tensor, _ b: Tensor, rtol: Float = 1e-5, atol: Float = 1e-6, _ message: String = "",
                        file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.shape, b.shape, "\(message): shapes", file: file, line: line)
    assertClose(a.toArray(), b.toArray(), rtol: rtol, atol: atol, message, file: file, line: line)
}

/// Finite-difference gradient check of `f` at `inputs` (each a leaf that will
/// be marked as requiring a gradient). The scalar checked is Σ f(x) ⊙ r with a
/// fixed random projection r, so every output element gets its own upstream
/// gradient. Central differences in Float32 with step `eps`; the comparison
/// uses `rtol`/`atol` (Float32 rounding bounds what is reachable: ~1e-2).
public func gradCheck(_ inputs: [Tensor], eps: Float = 1e-2, rtol: Float = 2e-2, atol: Float = 2e-3,
                      file: StaticString = #filePath, line: UInt = #line,
                      _ f: ([Tensor]) throws -> Tensor) throws {
    for x in inputs { x.grad = nil; x.requiringGrad() }
    let y0 = try f(inputs)
    var stream = RandomStream(seed: 1234, name: "gradcheck")
    let r = Tensor.normal(y0.shape, stream: &stream)
    func objective() throws -> Double {
        let y = try withNoGrad { try f(inputs) }
        let ya = y.toArray(), ra = r.toArray()
        var s = 0.0
        for i in 0..<ya.count { s += Double(ya[i]) * Double(ra[i]) }
        return s
    }
    try y0.mul(r).sum().backward()
    for (n, x) in inputs.enumerated() {
        guard let g = x.grad else { XCTFail("input \(n) got no gradient", file: file, line: line); continue }
        XCTAssertEqual(g.shape, x.shape, "input \(n): gradient shape", file: file, line: line)
        let analytic = g.toArray()
        var numeric = [Float](repeating: 0, count: x.count)
        try x.withMutableData { p in
            for i in 0..<x.count {
                let old = p[i]
                p[i] = old + eps
                let up = try objective()
                p[i] = old - eps
                let down = try objective()
                p[i] = old
                numeric[i] = Float((up - down) / (2 * Double(eps)))
            }
        }
        assertClose(analytic, numeric, rtol: rtol, atol: atol, "gradient of input \(n)", file: file, line: line)
    }
}

/// A tensor of the given shape with values from a named stream (uniform in [low, high)).
public func randomTensor(_ shape: [Int], _ name: String, low: Float = -1, high: Float = 1) -> Tensor {
    var s = RandomStream(seed: 42, name: name)
    return Tensor.uniform(shape, low: low, high: high, stream: &s)
}

/// A file or tool a test needs is missing: a failure when CI=true (a CI run
/// must never pass by skipping), a skip elsewhere, saying what is missing.
public func missingInCI(_ what: String) -> Error {
    if ProcessInfo.processInfo.environment["CI"] == "true" { return MissingInCI(what: what) }
    return XCTSkip(what)
}

public struct MissingInCI: Error, CustomStringConvertible {
    public var what: String
    public var description: String { "CI=true and \(what)" }
}
