// TensorValue: a TensorEngine tensor as a Kymo host value — its property
// (`shape`), its methods (`reshape`, `transpose`, `item`; the reductions,
// `tolist` and `slice` in TensorValue+Analysis), indexing along the first
// axis, and how it prints: shape, dtype and the
// values (all of them when small, a summary when large).

import KymoLanguage
import Foundation
import TensorEngine

public final class TensorValue: HostObject {
    public let tensor: Tensor
    /// Set on what `predict(model, seq)` returns: the model's frames_in, so
    /// `plot_frames` knows which truth frames the prediction is of.
    public let predictedAfter: Int?

    public init(_ tensor: Tensor, predictedAfter: Int? = nil) {
        self.tensor = tensor
        self.predictedAfter = predictedAfter
    }

    public var kindName: String { "tensor" }
    public var propertyNames: [String] { BuiltinCatalog.hostKinds["tensor"]!.propertyNames }

    public func property(_ name: String) throws -> Value? {
        switch name {
        case "shape": return .list(tensor.shape.map { .int($0) })
        default: return nil
        }
    }

    public var methods: [Builtin] { TensorValue.methodTable(self) }

    public func element(at index: Value) throws -> Value {
        if case let .range(lo, hi) = index { return try slice(lo, hi) }
        guard case .int(let i) = index else { throw BuiltinError("tensor index must be an int, got \(index.typeName)", kind: .type) }
        guard tensor.rank >= 1 else { throw BuiltinError("a scalar tensor cannot be indexed; use .item()", kind: .type) }
        let n = tensor.shape[0]
        let j = i < 0 ? n + i : i
        guard j >= 0, j < n else {
            throw BuiltinError("index \(i) is out of range for a tensor of shape \(describeShape(tensor.shape))", kind: .range)
        }
        return .host(TensorValue(try TensorBuiltins.engine { try tensor.select(axis: 0, index: j) }))
    }

    static func methodTable(_ t: TensorValue) -> [Builtin] {
        let x = t.tensor
        let signatures = BuiltinCatalog.hostKinds["tensor"]!.methods
        func impl(_ name: String) -> BuiltinImplementation {
            switch name {
            case "reshape": return { args, _ in
                let shape = try args.intList("shape")
                return .host(TensorValue(try TensorBuiltins.engine { try x.reshaped(shape) }))
            }
            case "transpose": return { args, _ in
                let a = try args.int("a"), b = try args.int("b")
                return .host(TensorValue(try TensorBuiltins.engine { try x.transposed(a, b) }))
            }
            case "item": return { _, _ in .float(Double(try TensorBuiltins.engine { try x.item() })) }
            default: return t.reductionMethod(name)
            }
        }
        return signatures.map { Builtin($0, impl($0.name)) }
    }

    public func describe(indent: Int) -> String {
        let head = "tensor \(describeShape(tensor.shape)) float32"
        let values = tensor.toArray()
        if values.count <= 64 {
            if tensor.rank == 0 { return head + " " + TensorValue.format(values[0]) }
            let pad = String(repeating: " ", count: indent)
            let body = TensorValue.nested(values[...], shape: tensor.shape[...])
            return head + "\n" + pad + body.replacingOccurrences(of: "\n", with: "\n" + pad)
        }
        var lo = Float.infinity, hi = -Float.infinity, sum = 0.0, sumSq = 0.0, nonFinite = 0
        for v in values {
            guard v.isFinite else { nonFinite += 1; continue }
            lo = min(lo, v); hi = max(hi, v)
            sum += Double(v); sumSq += Double(v) * Double(v)
        }
        let n = Double(values.count - nonFinite)
        let mean = n > 0 ? sum / n : .nan
        let std = n > 0 ? max(0, sumSq / n - mean * mean).squareRoot() : .nan
        var s = head + ", \(values.count) values: mean \(TensorValue.format(Float(mean))), std \(TensorValue.format(Float(std)))"
            + ", min \(TensorValue.format(lo)), max \(TensorValue.format(hi))"
        if nonFinite > 0 { s += ", \(nonFinite) not finite" }
        return s
    }

    /// Four significant digits, integers without a fraction.
    static func format(_ v: Float) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        if v == v.rounded(), abs(v) < 1e6 { return String(Int(v)) }
        return String(format: "%.4g", Double(v))
    }

    private static func nested(_ values: ArraySlice<Float>, shape: ArraySlice<Int>) -> String {
        guard let first = shape.first else { return format(values.first ?? 0) }
        if shape.count == 1 { return "[" + values.map(format).joined(separator: ", ") + "]" }
        let inner = shape.dropFirst().reduce(1, *)
        var parts: [String] = []
        for i in 0..<first {
            let start = values.startIndex + i * inner
            parts.append(nested(values[start..<start + inner], shape: shape.dropFirst()))
        }
        let separator = shape.count > 2 ? ",\n\n" : ",\n"
        return "[" + parts.joined(separator: separator).replacingOccurrences(of: "\n", with: "\n ")
            .replacingOccurrences(of: "\n \n", with: "\n\n") + "]"
    }
}
