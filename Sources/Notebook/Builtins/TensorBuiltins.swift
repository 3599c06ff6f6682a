// TensorBuiltins: the tensor built-ins of docs/language.md bound to TensorEngine —
// tensor, zeros, ones, randn, rand, matmul, conv2d, sigmoid, tanh, relu,
// softmax. Sizes are checked against the session's limit before anything is
// allocated; engine errors (shapes, axes) come back as Kymo errors.

import KymoLanguage
import TensorEngine

enum TensorBuiltins {
    /// Runs an engine call, turning its typed errors into Kymo errors.
    static func engine<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as TensorError { throw BuiltinError(e.description) }
    }

    static func tensorArg(_ args: BoundArguments, _ name: String) throws -> Tensor {
        try args.host(name, as: TensorValue.self).tensor
    }

    /// A shape from `[2, 3]` or `5`, checked for sign and size.
    static func shape(_ v: Value, _ context: CallContext, op: String) throws -> [Int] {
        var dims: [Int]
        switch v {
        case .int(let n): dims = [n]
        case .list(let xs):
            dims = try xs.map { x -> Int in
                guard case .int(let i) = x else { throw BuiltinError("\(op): shape must be a list of ints", kind: .type) }
                return i
            }
        default: throw BuiltinError("\(op): shape must be a list of ints, got \(v.typeName)", kind: .type)
        }
        try checkSize(dims, context, op: op)
        return dims
    }

    static func checkSize(_ dims: [Int], _ context: CallContext, op: String) throws {
        guard dims.count <= 8 else { throw BuiltinError("\(op): at most 8 dimensions, got \(dims.count)", kind: .range) }
        var n = 1
        for d in dims {
            guard d >= 0 else { throw BuiltinError("\(op): negative dimension in shape \(describeShape(dims))", kind: .range) }
            let (p, overflow) = n.multipliedReportingOverflow(by: d)
            guard !overflow, p <= context.maxElements else {
                throw BuiltinError("\(op): shape \(describeShape(dims)) is larger than the limit of \(context.maxElements) elements",
                                   kind: .limit)
            }
            n = p
        }
        try MemoryCharges.tensor(n, op)
    }

    static func wrap(_ t: Tensor) -> Value { .host(TensorValue(t)) }

    // MARK: implementations

    static func tensor(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let v = args["values"]
        if let x = v.numberValue { return wrap(Tensor(scalar: Float(x))) }
        var flat: [Float] = []
        var shape: [Int] = []
        func walk(_ v: Value, depth: Int) throws {
            switch v {
            case .list(let xs):
                if depth == shape.count {
                    guard depth < 8 else { throw BuiltinError("tensor: at most 8 dimensions", kind: .range) }
                    shape.append(xs.count)
                } else if depth > shape.count || shape[depth] != xs.count {
                    throw BuiltinError("tensor: the nested lists are ragged (expected \(depth < shape.count ? shape[depth] : 0) elements at depth \(depth + 1), got \(xs.count))", kind: .type)
                }
                for x in xs { try walk(x, depth: depth + 1) }
            default:
                guard let x = v.numberValue else {
                    throw BuiltinError("tensor: elements must be numbers, got \(v.typeName)", kind: .type)
                }
                guard depth == shape.count else {
                    throw BuiltinError("tensor: the nested lists are ragged (a number where a list was expected)", kind: .type)
                }
                if flat.count == flat.capacity { try MemoryCharges.tensor(flat.count * 2 + 1, "tensor") }
                flat.append(Float(x))
                guard flat.count <= context.maxElements else {
                    throw BuiltinError("tensor: more than \(context.maxElements) elements", kind: .limit)
                }
            }
        }
        try walk(v, depth: 0)
        return wrap(try engine { try Tensor(flat, shape: shape) })
    }

    static func zeros(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        wrap(Tensor(zeros: try shape(args["shape"], context, op: "zeros")))
    }

    static func ones(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        wrap(Tensor(repeating: 1, shape: try shape(args["shape"], context, op: "ones")))
    }

    static func randn(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let dims = try shape(args["shape"], context, op: "randn")
        var stream = context.randomStream("randn")
        return wrap(Tensor.normal(dims, stream: &stream))
    }

    static func rand(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let dims = try shape(args["shape"], context, op: "rand")
        var stream = context.randomStream("rand")
        return wrap(Tensor.uniform(dims, stream: &stream))
    }

    static func matmul(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let a = try tensorArg(args, "a"), b = try tensorArg(args, "b")
        if a.rank >= 2, b.rank >= 2 {
            let batch = a.rank > 2 ? Array(a.shape.dropLast(2)) : Array(b.shape.dropLast(2))
            try checkSize(batch + [a.shape[a.rank - 2], b.shape[b.rank - 1]], context, op: "matmul")
        }
        return wrap(try engine { try a.matmul(b) })
    }

    static func conv2d(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let x = try tensorArg(args, "x"), w = try tensorArg(args, "w")
        let b: Tensor? = args["b"].isNil ? nil : try tensorArg(args, "b")
        let padding: (Int, Int)
        switch args["padding"] {
        case .int(let p): padding = (p, p)
        case .list(let ps) where ps.count == 2:
            guard case .int(let ph) = ps[0], case .int(let pw) = ps[1], ph >= 0, pw >= 0 else { fallthrough }
            padding = (ph, pw)
        default: throw BuiltinError("conv2d: padding must be an int or [ph, pw] of non-negative ints", kind: .type)
        }
        if x.rank == 4, w.rank == 4 {
            let h = x.shape[2] + 2 * padding.0, wd = x.shape[3] + 2 * padding.1
            try checkSize([x.shape[0], w.shape[0], h, wd], context, op: "conv2d")
            try checkSize([x.shape[0], x.shape[1] * w.shape[2] * w.shape[3], h * wd], context, op: "conv2d")
        }
        return wrap(try engine { try x.conv2d(weight: w, bias: b, padding: padding) })
    }

    static func sigmoid(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        wrap(try tensorArg(args, "x").sigmoid())
    }

    static func tanh(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        wrap(try tensorArg(args, "x").tanh())
    }

    static func relu(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        wrap(try tensorArg(args, "x").relu())
    }

    static func softmax(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let x = try tensorArg(args, "x"), axis = try args.int("axis")
        return wrap(try engine { try x.softmax(axis: axis) })
    }
}
