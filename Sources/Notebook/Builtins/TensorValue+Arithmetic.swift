// TensorValue+Arithmetic: what the language's operators do to tensors —
// `+ - * /` elementwise with broadcasting, numbers taken as scalars, unary
// minus, `< <= > >=` as 0/1 masks (TensorValue+Analysis); `%` and `==` are refused. The language calls these through
// `HostObject`; it knows nothing of tensors.

import KymoLanguage
import TensorEngine

extension TensorValue {
    public func negated() throws -> Value? { .host(TensorValue(tensor.negated())) }

    public var equalityRefusal: String? {
        "tensors cannot be compared with '=='; compare a value such as t.sum().item()"
    }

    public func arithmetic(_ op: BinaryOp, _ other: Value, reversed: Bool, limit: Int) throws -> Value? {
        let y: Tensor
        switch other {
        case .host(let t as TensorValue): y = t.tensor
        case .int, .float: y = Tensor(scalar: Float(other.numberValue!))
        default: return nil
        }
        let (a, b) = reversed ? (y, tensor) : (tensor, y)
        if [.lt, .le, .gt, .ge].contains(op) {
            if let shape = broadcastShape(a.shape, b.shape), shape.reduce(1, *) > limit {
                throw BuiltinError("'\(op.rawValue)' of \(describeShape(a.shape)) and \(describeShape(b.shape)) would exceed the limit of \(limit) elements", kind: .limit)
            }
            return try mask(op, a, b, limit: limit)
        }
        if let shape = broadcastShape(a.shape, b.shape) {
            var n = 1
            for d in shape {
                let (p, overflow) = n.multipliedReportingOverflow(by: d)
                guard !overflow, p <= limit else {
                    throw BuiltinError("'\(op.rawValue)' of \(describeShape(a.shape)) and \(describeShape(b.shape)) would exceed the limit of \(limit) elements", kind: .limit)
                }
                n = p
            }
            try MemoryCharges.tensor(n, "'\(op.rawValue)' of \(describeShape(a.shape)) and \(describeShape(b.shape))")
        }
        do {
            switch op {
            case .add: return .host(TensorValue(try a.add(b)))
            case .sub: return .host(TensorValue(try a.sub(b)))
            case .mul: return .host(TensorValue(try a.mul(b)))
            case .div: return .host(TensorValue(try a.div(b)))
            case .mod: throw BuiltinError("'%' is not defined on tensors", kind: .type)
            default: return nil
            }
        } catch let e as TensorError {
            throw BuiltinError(e.description)
        }
    }
}
