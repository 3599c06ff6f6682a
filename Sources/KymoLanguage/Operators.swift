// Operators: what `+ - * / %`, comparisons and unary minus do to values.
// Ints are 64-bit and checked (overflow is an error, never a trap); an int
// meeting a float becomes a float; `/` on two ints divides as Swift does
// (truncating). Host values (tensors) define their own arithmetic through
// `HostObject.arithmetic`, Notebook's tensors elementwise with broadcasting
// (and `< <= > >=` as 0/1 masks). `+` concatenates lists, and strings (a non-string operand is
// shown as `print` would show it).
// Deliberately not: operators on records, string repetition, implicit bool
// conversions.

public enum Operators {
    public static func negate(_ v: Value) throws -> Value {
        switch v {
        case .int(let i):
            guard i != Int.min else { throw BuiltinError("integer overflow in unary '-'") }
            return .int(-i)
        case .float(let f): return .float(-f)
        case .host(let h):
            if let r = try h.negated() { return r }
            throw BuiltinError("cannot apply unary '-' to \(v.typeName)", kind: .type)
        default: throw BuiltinError("cannot apply unary '-' to \(v.typeName)", kind: .type)
        }
    }

    public static func binary(_ op: BinaryOp, _ a: Value, _ b: Value, limit: Int = 1 << 28) throws -> Value {
        switch op {
        case .eq: return .bool(try equal(a, b))
        case .ne: return .bool(!(try equal(a, b)))
        case .lt, .le, .gt, .ge:
            // A host kind may answer an ordering with a value (tensors: a 0/1 mask).
            if case .host(let h) = a, let r = try h.arithmetic(op, b, reversed: false, limit: limit) { return r }
            if case .host(let h) = b, let r = try h.arithmetic(op, a, reversed: true, limit: limit) { return r }
            return .bool(try compare(op, a, b))
        case .add, .sub, .mul, .div, .mod: return try arithmetic(op, a, b, limit: limit)
        case .and, .or: throw BuiltinError("internal: logical operators short-circuit in the interpreter")
        }
    }

    private static func equal(_ a: Value, _ b: Value) throws -> Bool {
        if case .host(let h) = a, let why = h.equalityRefusal { throw BuiltinError(why, kind: .type) }
        if case .host(let h) = b, let why = h.equalityRefusal { throw BuiltinError(why, kind: .type) }
        var budget = 1_000_000
        guard let equal = a.isEqual(to: b, budget: &budget) else {
            throw BuiltinError("values are too large to compare (more than a million elements)", kind: .limit)
        }
        return equal
    }

    private static func compare(_ op: BinaryOp, _ a: Value, _ b: Value) throws -> Bool {
        switch (a, b) {
        case let (.int(x), .int(y)): return ordered(op, x, y)
        case let (.string(x), .string(y)): return ordered(op, x, y)
        default:
            if let x = a.numberValue, let y = b.numberValue { return ordered(op, x, y) }
            throw BuiltinError("cannot compare \(a.typeName) and \(b.typeName) with '\(op.rawValue)'", kind: .type)
        }
    }

    private static func ordered<T: Comparable>(_ op: BinaryOp, _ x: T, _ y: T) -> Bool {
        switch op {
        case .lt: return x < y
        case .le: return x <= y
        case .gt: return x > y
        default: return x >= y
        }
    }

    private static func arithmetic(_ op: BinaryOp, _ a: Value, _ b: Value, limit: Int) throws -> Value {
        switch (a, b) {
        case let (.int(x), .int(y)): return try integer(op, x, y)
        case (.string, _), (_, .string):
            guard op == .add else { break }
            let (x, y) = (ValueFormatter.plain(a), ValueFormatter.plain(b))
            guard x.utf8.count + y.utf8.count <= limit else {
                throw BuiltinError("string would exceed the limit of \(limit) bytes", kind: .limit)
            }
            try MemoryCharges.string(x.utf8.count + y.utf8.count)
            return .string(x + y)
        case let (.list(x), .list(y)):
            guard op == .add else { break }
            guard x.count + y.count <= limit else {
                throw BuiltinError("list would exceed the limit of \(limit) elements", kind: .limit)
            }
            try MemoryCharges.list(x.count + y.count, operands: x.count + y.count)
            var joined: [Value] = []   // one allocation of the exact size (x + y may copy x, then grow)
            joined.reserveCapacity(x.count + y.count)
            joined.append(contentsOf: x)
            joined.append(contentsOf: y)
            return .list(joined)
        case (.host(let h), _):
            if let r = try h.arithmetic(op, b, reversed: false, limit: limit) { return r }
        case (_, .host(let h)):
            if let r = try h.arithmetic(op, a, reversed: true, limit: limit) { return r }
        default:
            if let x = a.numberValue, let y = b.numberValue { return .float(floating(op, x, y)) }
        }
        throw BuiltinError("cannot apply '\(op.rawValue)' to \(a.typeName) and \(b.typeName)", kind: .type)
    }

    private static func integer(_ op: BinaryOp, _ x: Int, _ y: Int) throws -> Value {
        let r: (partialValue: Int, overflow: Bool)
        switch op {
        case .add: r = x.addingReportingOverflow(y)
        case .sub: r = x.subtractingReportingOverflow(y)
        case .mul: r = x.multipliedReportingOverflow(by: y)
        case .div:
            guard y != 0 else { throw BuiltinError("division by zero") }
            r = x.dividedReportingOverflow(by: y)
        default:
            guard y != 0 else { throw BuiltinError("remainder by zero") }
            r = x.remainderReportingOverflow(dividingBy: y)
        }
        if r.overflow { throw BuiltinError("integer overflow in \(x) \(op.rawValue) \(y)") }
        return .int(r.partialValue)
    }

    private static func floating(_ op: BinaryOp, _ x: Double, _ y: Double) -> Double {
        switch op {
        case .add: return x + y
        case .sub: return x - y
        case .mul: return x * y
        case .div: return x / y
        default: return x.truncatingRemainder(dividingBy: y)
        }
    }
}
