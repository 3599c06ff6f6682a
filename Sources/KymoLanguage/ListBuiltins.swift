// ListBuiltins: the general-purpose built-ins over lists that need nothing
// of the host — reductions (sum, mean, std, median, argmin, argmax) and
// functions over lists (map, filter, zip, enumerate, any, all, reversed,
// range). The language declares them here; a host adds them to its registry
// (Notebook's `BuiltinCatalog` appends `ListBuiltins.declarations` to its
// own table), so the one registry still holds every built-in a session has.
//
// Numbers: the reductions take a list (or a range) of ints and floats; a
// bool, nil or anything else is an error naming the element. Summation is
// left to right in Double, one element at a time — exactly the loop
// `var s = 0.0; for x in xs { s += x }` — so results are the same bits on
// every machine and in every replay. `sum` of ints only is an int (checked
// for overflow). `std` is two-pass: the mean, then Σ (x − mean)² left to
// right, divided by n − ddof, and a correctly rounded square root (IEEE, not
// the C library). `median` sorts a copy and averages the middle two of an
// even count. Ties in argmin/argmax go to the first; nan is an error.
//
// Functions passed to map, filter, any, all (and Notebook's sorted(key:))
// are called through `CallContext.call`: the step limit, interrupts and the
// stack are checked as for any call, and a function of the wrong arity is an
// error naming the built-in.

public enum ListBuiltins {
    private static let sequence = "a list or a range"
    private static let listOrRange = ParamType.either([.list, .range])

    /// Every declaration, in the order of docs/language.md's "Lists and analysis" table.
    public static var declarations: [BuiltinDeclaration] { [
        BuiltinDeclaration("sum", [.positional("xs", listOrRange)], returns: .either([.int, .float]),
                           doc: "Sum of a list of numbers, left to right (ints only: an int; [] is 0).",
                           run: sum),
        BuiltinDeclaration("mean", [.positional("xs", listOrRange)], returns: .float,
                           doc: "Arithmetic mean: sum(xs) / count (an empty list is an error).",
                           run: mean),
        BuiltinDeclaration("std", [.positional("xs", listOrRange),
                                   .named("ddof", .int, default: .int(1), range: .atLeast(0),
                                          doc: "delta degrees of freedom: 1 the sample std (n − 1), 0 the population std")],
                           returns: .float,
                           doc: "Standard deviation, sample (n − 1) by default; needs more than ddof values.",
                           run: std),
        BuiltinDeclaration("median", [.positional("xs", listOrRange)], returns: .float,
                           doc: "The middle value (the mean of the middle two for an even count).",
                           run: median),
        BuiltinDeclaration("argmin", [.positional("xs", listOrRange)], returns: .int,
                           doc: "Index of the smallest number (the first on a tie).",
                           run: { args, context in try extremeIndex(args, context, "argmin", <) }),
        BuiltinDeclaration("argmax", [.positional("xs", listOrRange)], returns: .int,
                           doc: "Index of the largest number (the first on a tie).",
                           run: { args, context in try extremeIndex(args, context, "argmax", >) }),
        BuiltinDeclaration("map", [.positional("xs", listOrRange), .positional("f", .function, doc: "called with each element").calling(1)],
                           returns: .list, doc: "[f(x) for each x], in order.",
                           run: map),
        BuiltinDeclaration("filter", [.positional("xs", listOrRange),
                                      .positional("f", .function, doc: "called with each element; returns a bool").calling(1)],
                           returns: .list, doc: "The elements x for which f(x) is true, in order.",
                           run: filter),
        BuiltinDeclaration("zip", [], variadic: true, returns: .list,
                           doc: "zip(a, b, …): [[a[0], b[0], …], …], as long as the shortest.",
                           run: zip),
        BuiltinDeclaration("enumerate", [.positional("xs", listOrRange), .named("start", .int, default: .int(0))],
                           returns: .list, doc: "[[start, xs[0]], [start + 1, xs[1]], …].",
                           run: enumerate),
        BuiltinDeclaration("any", [.positional("xs", listOrRange),
                                   .positional("f", .function, default: .null, doc: "a predicate (default: the elements are bools)").calling(1)],
                           returns: .bool, doc: "Whether some element (or f(element)) is true; false for [].",
                           run: { args, context in try quantifier(args, context, "any", stopAt: true) }),
        BuiltinDeclaration("all", [.positional("xs", listOrRange),
                                   .positional("f", .function, default: .null, doc: "a predicate (default: the elements are bools)").calling(1)],
                           returns: .bool, doc: "Whether every element (or f(element)) is true; true for [].",
                           run: { args, context in try quantifier(args, context, "all", stopAt: false) }),
        BuiltinDeclaration("reversed", [.positional("xs", .either([.list, .range, .string]))],
                           returns: .any, doc: "The elements in reverse order (a list; a string stays a string).",
                           run: reversed),
        BuiltinDeclaration("range", [.positional("a", .int), .positional("b", .int, default: .null),
                                     .positional("step", .int, default: .int(1))],
                           returns: .list,
                           doc: "range(n) is [0, …, n−1]; range(a, b, step) counts from a toward b (excluded) by step.",
                           run: range),
    ] }

    // MARK: helpers

    /// The elements of a list or a range (a range of at most `limit` elements).
    public static func elements(_ v: Value, _ function: String, limit: Int = 1 << 28) throws -> [Value] {
        switch v {
        case .list(let xs): return xs
        case let .range(lo, hi):
            let (n, overflow) = hi.subtractingReportingOverflow(lo)
            guard !overflow, n <= limit else {
                throw BuiltinError("\(function): the range \(lo)..<\(hi) has more than the limit of \(limit) elements", kind: .limit)
            }
            return (lo..<hi).map { .int($0) }
        default: throw BuiltinError("\(function) takes \(sequence), got \(v.typeName)", kind: .type)
        }
    }

    /// The numbers of a list or range, and whether they are all ints.
    static func numbers(_ v: Value, _ function: String, limit: Int) throws -> (values: [Double], ints: [Int]?) {
        let xs = try elements(v, function, limit: limit)
        var values: [Double] = []
        var ints: [Int]? = []
        values.reserveCapacity(xs.count)
        for (i, x) in xs.enumerated() {
            switch x {
            case .int(let k): values.append(Double(k)); ints?.append(k)
            case .float(let f): values.append(f); ints = nil
            default:
                throw BuiltinError("\(function): element \(i) is \(article(x.typeName)), not a number", kind: .type)
            }
        }
        return (values, ints)
    }

    static func article(_ type: String) -> String {
        type == "nil" ? "nil" : ("aeiou".contains(type.first ?? "x") ? "an " : "a ") + type
    }

    /// Σ x left to right in Double (the documented order).
    static func leftToRight(_ xs: [Double]) -> Double {
        var s = 0.0
        for x in xs { s += x }
        return s
    }

    // MARK: reductions

    static func sum(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let (values, ints) = try numbers(args["xs"], "sum", limit: context.maxElements)
        if let ints {
            var s = 0
            for k in ints {
                let (r, overflow) = s.addingReportingOverflow(k)
                if overflow { throw BuiltinError("sum: integer overflow (write sum of floats: map(xs, float))") }
                s = r
            }
            return .int(s)
        }
        return .float(leftToRight(values))
    }

    static func mean(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let (values, _) = try numbers(args["xs"], "mean", limit: context.maxElements)
        guard !values.isEmpty else { throw BuiltinError("mean of an empty list", kind: .range) }
        return .float(leftToRight(values) / Double(values.count))
    }

    static func std(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let (values, _) = try numbers(args["xs"], "std", limit: context.maxElements)
        let ddof = try args.int("ddof")
        let n = values.count
        guard n > ddof else {
            let what = n == 1 ? "1 value" : "\(n) values"
            throw BuiltinError("std of \(what) with ddof: \(ddof) divides by n − ddof = \(n - ddof)"
                + (n == 1 && ddof == 1 ? "; the sample std needs two values (ddof: 0 gives the population std, 0)" : ""),
                kind: .range)
        }
        let m = leftToRight(values) / Double(n)
        var ss = 0.0
        for x in values { ss += (x - m) * (x - m) }
        return .float((ss / Double(n - ddof)).squareRoot())
    }

    static func median(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let (values, _) = try numbers(args["xs"], "median", limit: context.maxElements)
        guard !values.isEmpty else { throw BuiltinError("median of an empty list", kind: .range) }
        if let i = values.firstIndex(where: \.isNaN) { throw BuiltinError("median: nan at element \(i) cannot be ordered", kind: .range) }
        let s = values.sorted()
        let h = s.count / 2
        return .float(s.count % 2 == 1 ? s[h] : (s[h - 1] + s[h]) / 2)
    }

    static func extremeIndex(_ args: BoundArguments, _ context: CallContext, _ name: String, _ better: (Double, Double) -> Bool) throws -> Value {
        let (values, _) = try numbers(args["xs"], name, limit: context.maxElements)
        guard !values.isEmpty else { throw BuiltinError("\(name) of an empty list", kind: .range) }
        var best = 0
        for (i, x) in values.enumerated() {
            if x.isNaN { throw BuiltinError("\(name): nan at element \(i) cannot be compared", kind: .range) }
            if better(x, values[best]) { best = i }
        }
        return .int(best)
    }

    // MARK: functions over lists

    static func function(_ args: BoundArguments, _ name: String) throws -> Function {
        guard case .function(let f) = args[name] else {
            throw BuiltinError("argument '\(name)' of \(args.function) must be a function, got \(args[name].typeName)", kind: .type)
        }
        return f
    }

    static func map(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let xs = try elements(args["xs"], "map", limit: context.maxElements), f = try function(args, "f")
        return .list(try xs.map { try context.call(f, [$0], by: "map") })
    }

    static func filter(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let xs = try elements(args["xs"], "filter", limit: context.maxElements), f = try function(args, "f")
        var out: [Value] = []
        for (i, x) in xs.enumerated() {
            let keep = try context.call(f, [x], by: "filter")
            guard case .bool(let b) = keep else {
                throw BuiltinError("filter: the function must return a bool, got \(keep.typeName) for element \(i)", kind: .type)
            }
            if b { out.append(x) }
        }
        return .list(out)
    }

    static func zip(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let lists = try args.extra.map { try elements($0, "zip", limit: context.maxElements) }
        guard let n = lists.map(\.count).min() else { return .list([]) }
        return .list((0..<n).map { i in .list(lists.map { $0[i] }) })
    }

    static func enumerate(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let xs = try elements(args["xs"], "enumerate", limit: context.maxElements), start = try args.int("start")
        return .list(try xs.enumerated().map { i, x in
            let (k, overflow) = start.addingReportingOverflow(i)
            if overflow { throw BuiltinError("enumerate: integer overflow") }
            return .list([.int(k), x])
        })
    }

    /// any (stops at the first true) and all (stops at the first false).
    static func quantifier(_ args: BoundArguments, _ context: CallContext, _ name: String, stopAt: Bool) throws -> Value {
        let xs = try elements(args["xs"], name, limit: context.maxElements)
        let f: Function? = args["f"].isNil ? nil : try function(args, "f")
        for (i, x) in xs.enumerated() {
            let v = try f.map { try context.call($0, [x], by: name) } ?? x
            guard case .bool(let b) = v else {
                throw BuiltinError(f == nil ? "\(name): element \(i) is \(article(v.typeName)), not a bool; pass a predicate: \(name)(xs, fn(x) { … })"
                                            : "\(name): the function must return a bool, got \(v.typeName) for element \(i)", kind: .type)
            }
            if b == stopAt { return .bool(stopAt) }
        }
        return .bool(!stopAt)
    }

    static func reversed(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        if case .string(let s) = args["xs"] { return .string(String(s.reversed())) }
        return .list(try elements(args["xs"], "reversed", limit: context.maxElements).reversed())
    }

    static func range(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let step = try args.int("step")
        var (a, b) = (0, try args.int("a"))
        if case .int(let end) = args["b"] { (a, b) = (b, end) }
        guard step != 0 else { throw BuiltinError("range: step must not be 0", kind: .range) }
        // Count without overflow: ceil((b − a) / step) when positive.
        let span = step > 0 ? Double(b) - Double(a) : Double(a) - Double(b)
        let count = span <= 0 ? 0 : Int(((span + Double(Swift.abs(step)) - 1) / Double(Swift.abs(step))).rounded(.down))
        guard count <= context.maxElements else {
            throw BuiltinError("range: \(count) elements exceed the limit of \(context.maxElements)", kind: .limit)
        }
        var out: [Value] = []
        out.reserveCapacity(count)
        var x = a
        while step > 0 ? x < b : x > b {
            out.append(.int(x))
            let (next, overflow) = x.addingReportingOverflow(step)
            if overflow { break }
            x = next
        }
        return .list(out)
    }
}
