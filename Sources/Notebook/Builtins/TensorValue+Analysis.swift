// TensorValue+Analysis: tensor math for looking at results — slices along
// the first axis (`t[2..<5]`) or any axis (`t.slice(r, axis:)`), reductions
// with an optional `axis:` (sum, mean, max, min, std, argmax, argmin),
// `.tolist()`, comparisons `< <= > >=` giving 0/1 masks, and the elementwise
// sqrt, exp, ln, abs and clip built-ins (which also take plain numbers; the
// natural log is `ln` because `log(name, value)` records a metric).
//
// Orders and functions, fixed so results are the same bits everywhere:
// - sum and mean are the engine's (Tensor+Reduce: an order fixed by the shape
//   alone; mean = sum × (1/n) in float32).
// - std: in Double, along the axis in index order: the mean (Σ left to
//   right / n), then Σ (x − mean)² left to right / (n − ddof), a correctly
//   rounded square root, rounded to float32 once.
// - max, min: comparisons only; a nan anywhere along the axis gives nan
//   (NumPy's rule). argmax/argmin: the first extreme; the first nan if any.
//   With `axis:` they give a float32 tensor of indices (exact below 2^24);
//   without, an int (the index into the flattened tensor).
// - exp, ln: FastMath (float32 tensors) and PortableMath (numbers); sqrt is
//   IEEE's correctly rounded square root; none goes through libm.

import KymoLanguage
import TensorEngine

extension TensorValue {
    public var sliceLength: Int? { tensor.rank >= 1 ? tensor.shape[0] : nil }

    /// `t[a..<b]` along the first axis (bounds resolved by the interpreter).
    func slice(_ lo: Int, _ hi: Int) throws -> Value {
        .host(TensorValue(try TensorBuiltins.engine { try tensor.slice(axis: 0, start: lo, length: hi - lo) }))
    }

    /// `t.slice(i, axis: a)` (one element, the axis removed) or
    /// `t.slice(lo..<hi, axis: a)`; negative indices count from the end.
    func slice(_ what: Value, axis: Int) throws -> Value {
        let a = try normalized(axis, "slice")
        let n = tensor.shape[a]
        switch what {
        case .int(let i):
            let j = i < 0 ? i + n : i
            guard j >= 0, j < n else {
                throw BuiltinError("slice: index \(i) is out of range for axis \(axis) of size \(n) in \(describeShape(tensor.shape))", kind: .range)
            }
            return .host(TensorValue(try TensorBuiltins.engine { try tensor.select(axis: a, index: j) }))
        case let .range(lo, hi):
            let (x, y) = (lo < 0 ? lo + n : lo, hi < 0 ? hi + n : hi)
            guard x >= 0, y <= n, x <= y else {
                throw BuiltinError("slice: \(lo)..<\(hi) is out of range for axis \(axis) of size \(n) in \(describeShape(tensor.shape))", kind: .range)
            }
            return .host(TensorValue(try TensorBuiltins.engine { try tensor.slice(axis: a, start: x, length: y - x) }))
        default:
            throw BuiltinError("slice takes an int or a range, got \(what.typeName)", kind: .type)
        }
    }

    private func normalized(_ axis: Int, _ op: String) throws -> Int {
        let r = tensor.rank
        guard r > 0 else { throw BuiltinError("\(op): a scalar tensor has no axes", kind: .range) }
        let a = axis < 0 ? axis + r : axis
        guard a >= 0, a < r else {
            throw BuiltinError("\(op): axis \(axis) is out of range for a tensor of shape \(describeShape(tensor.shape))", kind: .range)
        }
        return a
    }

    /// The axis argument of a reduction: nil for all elements.
    private func axisArgument(_ args: BoundArguments, _ op: String) throws -> Int? {
        guard case .int(let axis) = args["axis"] else { return nil }
        return try normalized(axis, op)
    }

    /// Applies `reduce` to each run along `axis` (or to all elements), in
    /// index order; the result has the axis removed.
    private func alongAxis(_ axis: Int?, _ op: String, _ reduce: ([Float]) throws -> Float) throws -> Tensor {
        let values = tensor.toArray()
        guard let a = axis else {
            guard !values.isEmpty else { throw BuiltinError("\(op) of an empty tensor", kind: .range) }
            return Tensor(repeating: try reduce(values), shape: [])
        }
        let n = tensor.shape[a]
        guard n > 0 else { throw BuiltinError("\(op) along an empty axis \(a) of \(describeShape(tensor.shape))", kind: .range) }
        let outer = tensor.shape[..<a].reduce(1, *), inner = tensor.shape[(a + 1)...].reduce(1, *)
        var out = [Float](repeating: 0, count: outer * inner)
        var run = [Float](repeating: 0, count: n)
        for o in 0..<outer {
            for i in 0..<inner {
                for k in 0..<n { run[k] = values[(o * n + k) * inner + i] }
                out[o * inner + i] = try reduce(run)
            }
        }
        var shape = tensor.shape
        shape.remove(at: a)
        return try TensorBuiltins.engine { try Tensor(out, shape: shape) }
    }

    static func extremeIndex(_ run: [Float], _ better: (Float, Float) -> Bool) -> Int {
        var best = 0
        for (k, x) in run.enumerated() {
            if x.isNaN { return k }
            if better(x, run[best]) { best = k }
        }
        return best
    }

    func reductionMethod(_ name: String) -> BuiltinImplementation {
        let x = tensor
        switch name {
        case "sum", "mean":
            return { args, _ in
                guard let a = try self.axisArgument(args, name) else { return .host(TensorValue(name == "sum" ? x.sum() : x.mean())) }
                return .host(TensorValue(try TensorBuiltins.engine { name == "sum" ? try x.sum(axes: [a]) : try x.mean(axes: [a]) }))
            }
        case "max", "min":
            return { args, _ in
                let better: (Float, Float) -> Bool = name == "max" ? { $0 > $1 } : { $0 < $1 }
                return .host(TensorValue(try self.alongAxis(try self.axisArgument(args, name), name) { run in
                    run[TensorValue.extremeIndex(run, better)]
                }))
            }
        case "argmax", "argmin":
            return { args, _ in
                let better: (Float, Float) -> Bool = name == "argmax" ? { $0 > $1 } : { $0 < $1 }
                guard let a = try self.axisArgument(args, name) else {
                    let values = x.toArray()
                    guard !values.isEmpty else { throw BuiltinError("\(name) of an empty tensor", kind: .range) }
                    return .int(TensorValue.extremeIndex(values, better))
                }
                return .host(TensorValue(try self.alongAxis(a, name) { Float(TensorValue.extremeIndex($0, better)) }))
            }
        case "std":
            return { args, _ in
                let ddof = try args.int("ddof")
                return .host(TensorValue(try self.alongAxis(try self.axisArgument(args, "std"), "std") { run in
                    guard run.count > ddof else {
                        throw BuiltinError("std of \(run.count) value\(run.count == 1 ? "" : "s") with ddof: \(ddof) divides by n − ddof = \(run.count - ddof)", kind: .range)
                    }
                    var s = 0.0
                    for v in run { s += Double(v) }
                    let m = s / Double(run.count)
                    var ss = 0.0
                    for v in run { ss += (Double(v) - m) * (Double(v) - m) }
                    return Float((ss / Double(run.count - ddof)).squareRoot())
                }))
            }
        case "tolist":
            return { _, _ in
                let values = x.toArray()
                if x.rank == 0 { return .float(Double(values[0])) }
                func nest(_ start: Int, _ dims: ArraySlice<Int>) -> Value {
                    guard let d = dims.first else { return .float(Double(values[start])) }
                    let inner = dims.dropFirst().reduce(1, *)
                    return .list((0..<d).map { nest(start + $0 * inner, dims.dropFirst()) })
                }
                return nest(0, x.shape[...])
            }
        case "slice":
            return { args, _ in try self.slice(args["index"], axis: try args.int("axis")) }
        default:
            preconditionFailure("tensor method '\(name)' has no implementation")
        }
    }

    /// `t < u` and the other orderings, elementwise with broadcasting: 1 where
    /// true, 0 where false (nan compares false).
    func mask(_ op: BinaryOp, _ a: Tensor, _ b: Tensor, limit: Int) throws -> Value {
        guard let shape = broadcastShape(a.shape, b.shape) else {
            throw BuiltinError("'\(op.rawValue)' of \(describeShape(a.shape)) and \(describeShape(b.shape)): shapes do not broadcast", kind: .type)
        }
        // Adding zeros broadcasts without changing a value that is compared.
        let zeros = Tensor(zeros: shape)
        let x = try TensorBuiltins.engine { try a.detached().add(zeros) }.toArray()
        let y = try TensorBuiltins.engine { try b.detached().add(zeros) }.toArray()
        var out = [Float](repeating: 0, count: x.count)
        for i in 0..<x.count {
            let r: Bool
            switch op {
            case .lt: r = x[i] < y[i]
            case .le: r = x[i] <= y[i]
            case .gt: r = x[i] > y[i]
            default: r = x[i] >= y[i]
            }
            out[i] = r ? 1 : 0
        }
        return .host(TensorValue(try TensorBuiltins.engine { try Tensor(out, shape: shape) }))
    }
}

/// sqrt, exp, ln and clip (abs is in EverydayBuiltins): elementwise on a tensor, or on one number.
enum AnalysisBuiltins {
    private static func apply(_ args: BoundArguments, _ name: String, number: (Double) -> Double,
                              tensor: (Tensor) -> Tensor) throws -> Value {
        try apply(args["x"], name, number: number, tensor: tensor)
    }

    private static func apply(_ x: Value, _ name: String, number: (Double) -> Double,
                              tensor: (Tensor) -> Tensor) throws -> Value {
        switch x {
        case .host(let t as TensorValue): return .host(TensorValue(tensor(t.tensor.detached())))
        case let v:
            guard let d = v.numberValue else { throw BuiltinError("\(name) takes a number or a tensor, got \(v.typeName)", kind: .type) }
            return .float(number(d))
        }
    }

    static func map(_ t: Tensor, _ f: (Float) -> Float) -> Tensor {
        try! Tensor(t.toArray().map(f), shape: t.shape)
    }

    static func sqrt(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        try apply(args, "sqrt", number: { $0.squareRoot() }, tensor: { map($0) { $0.squareRoot() } })
    }

    static func exp(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        try apply(args, "exp", number: PortableMath.exp, tensor: { $0.exp() })
    }

    static func log(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        try naturalLog(args["x"])
    }

    /// ln of a number or elementwise of a tensor (`ln(x)`, `log(x)`).
    static func naturalLog(_ x: Value) throws -> Value {
        try apply(x, "ln", number: { $0 == 0 ? -.infinity : $0 < 0 ? .nan : PortableMath.log($0) }, tensor: { $0.log() })
    }

    static func clip(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let lo = try args.double("lo"), hi = try args.double("hi")
        guard lo <= hi else { throw BuiltinError("clip: lo (\(ValueFormatter.number(lo))) is greater than hi (\(ValueFormatter.number(hi)))", kind: .range) }
        func clamp<T: FloatingPoint>(_ x: T, _ a: T, _ b: T) -> T { x.isNaN ? x : x < a ? a : x > b ? b : x }
        switch args["x"] {
        case .host(let t as TensorValue):
            let (a, b) = (Float(lo), Float(hi))
            return .host(TensorValue(map(t.tensor) { clamp($0, a, b) }))
        case .int(let i):
            if case .int(let a) = args["lo"], case .int(let b) = args["hi"] { return .int(Swift.min(Swift.max(i, a), b)) }
            return .float(clamp(Double(i), lo, hi))
        case let v:
            guard let d = v.numberValue else { throw BuiltinError("clip takes a number or a tensor, got \(v.typeName)", kind: .type) }
            return .float(clamp(d, lo, hi))
        }
    }
}
