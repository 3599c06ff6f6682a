// ArgumentBinder: matching a call's arguments to a built-in's signature.
// The same rules run twice: statically in the checker (labels, arity, and
// types and ranges where the argument is a literal) and at run time before an
// implementation is called (everything, on actual values). Both produce the
// same messages, so `kymo check` and `kymo run` agree.

/// One problem with a call, pointing at an argument (by index) or at the call.
public struct ArgumentProblem {
    public var kind: DiagnosticKind
    public var message: String
    public var suggestion: String?
    /// The offending argument; nil means the call itself. `atLabel` points at its label.
    public var argument: Int?
    public var atLabel: Bool = false
}

public enum ArgumentBinder {
    /// Which argument feeds which parameter (by index), plus extra positional
    /// arguments of a variadic signature and the problems found.
    public struct Matching {
        var parameterForArgument: [Int?] = []
        var extras: [Int] = []
        var problems: [ArgumentProblem] = []
    }

    public static func match(_ signature: BuiltinSignature, labels: [String?]) -> Matching {
        var m = Matching()
        m.parameterForArgument = Array(repeating: nil, count: labels.count)
        let positional = signature.parameters.indices.filter { !signature.parameters[$0].labeled }
        var nextPositional = 0
        var filled = Set<Int>()
        for (i, label) in labels.enumerated() {
            if let label {
                if let p = signature.parameters.firstIndex(where: { $0.name == label }) {
                    if !signature.parameters[p].labeled {
                        m.problems.append(ArgumentProblem(
                            kind: .argument,
                            message: "argument '\(label)' of \(signature.name) is positional; pass it without a label",
                            argument: i, atLabel: true))
                        filled.insert(p)  // one message for this mistake, not a second "missing"
                        if positional.indices.contains(nextPositional), positional[nextPositional] == p { nextPositional += 1 }
                    } else if filled.contains(p) {
                        m.problems.append(ArgumentProblem(kind: .argument, message: "argument '\(label)' is given twice",
                                                          argument: i, atLabel: true))
                    } else {
                        filled.insert(p)
                        m.parameterForArgument[i] = p
                    }
                } else {
                    let labels = signature.labels
                    let suggestion = EditDistance.suggestion(for: label, among: labels)
                    var message = "unknown argument '\(label)'"
                    if suggestion == nil {
                        message += labels.isEmpty ? "; \(signature.name) takes no named arguments"
                            : " for \(signature.name); it takes \(labels.joined(separator: ", "))"
                    }
                    m.problems.append(ArgumentProblem(kind: .argument, message: message, suggestion: suggestion,
                                                      argument: i, atLabel: true))
                    // A misspelt label stands for its suggestion: no second "missing" message.
                    if let suggestion, let p = signature.parameters.firstIndex(where: { $0.name == suggestion }) { filled.insert(p) }
                }
            } else if nextPositional < positional.count {
                let p = positional[nextPositional]
                nextPositional += 1
                filled.insert(p)
                m.parameterForArgument[i] = p
            } else if signature.variadic {
                m.extras.append(i)
            } else {
                let n = positional.count
                let takes = n == 0 ? "no positional arguments" : n == 1 ? "1 positional argument" : "\(n) positional arguments"
                var message = "too many arguments to \(signature.name): it takes \(takes)"
                if let firstLabel = signature.labels.first, nextPositional == n {
                    message += "; name the others (\(firstLabel): …)"
                }
                m.problems.append(ArgumentProblem(kind: .argument, message: message, argument: i))
            }
        }
        for (p, param) in signature.parameters.enumerated() where param.isRequired && !filled.contains(p) {
            let how = param.labeled ? "'\(param.name):'" : "'\(param.name)'"
            m.problems.append(ArgumentProblem(kind: .argument,
                                              message: "missing argument \(how) in call to \(signature.name)",
                                              argument: nil))
        }
        return m
    }

    /// Checks one value against its parameter's type, range and choices.
    public static func check(_ value: Value, for param: BuiltinParameter, of function: String) -> ArgumentProblem? {
        if value.isNil, param.defaultValue?.isNil == true { return nil }
        guard param.type.accepts(value) else {
            return ArgumentProblem(kind: .type, message: "argument '\(param.name)' of \(function) must be \(param.type), got \(value.typeName)")
        }
        if let range = param.range, let x = value.numberValue, !range.contains(x) {
            return ArgumentProblem(kind: .range,
                                   message: "argument '\(param.name)' of \(function) must be \(range), got \(ValueFormatter.inline(value))")
        }
        if let choices = param.choices, case .string(let s) = value, !choices.contains(s) {
            let list = choices.map { "\"\($0)\"" }.joined(separator: ", ")
            return ArgumentProblem(kind: .range,
                                   message: "argument '\(param.name)' of \(function) must be one of \(list), got \"\(s)\"",
                                   suggestion: EditDistance.suggestion(for: s, among: choices))
        }
        return nil
    }

    /// Binds actual values at run time; throws the first problem as a diagnostic.
    public static func bind(_ signature: BuiltinSignature, arguments: [(label: String?, value: Value)],
                     spans: [(label: SourceSpan?, value: SourceSpan)], callSpan: SourceSpan) throws -> BoundArguments {
        let m = match(signature, labels: arguments.map(\.label))
        func fail(_ problem: ArgumentProblem) -> Diagnostic {
            var span = callSpan
            if let i = problem.argument, i < spans.count {
                span = problem.atLabel ? (spans[i].label ?? spans[i].value) : spans[i].value
            }
            return Diagnostic(problem.kind, problem.message, at: span, suggestion: problem.suggestion)
        }
        if let first = m.problems.first { throw fail(first) }
        var bound = BoundArguments(function: signature.name)
        for (i, p) in m.parameterForArgument.enumerated() {
            guard let p else { continue }
            let param = signature.parameters[p]
            var value = arguments[i].value
            if var problem = check(value, for: param, of: signature.name) {
                problem.argument = i
                throw fail(problem)
            }
            if param.type == .float, case .int(let n) = value { value = .float(Double(n)) }
            bound.set(param.name, value, given: true)
        }
        for param in signature.parameters where bound.values[param.name] == nil {
            bound.set(param.name, param.defaultValue ?? .null, given: false)
        }
        for i in m.extras { bound.appendExtra(arguments[i].value) }
        return bound
    }
}
