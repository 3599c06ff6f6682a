// CoreBuiltins: the built-ins that belong to the session itself — print,
// seed, log and run_id.

import KymoLanguage
import TensorEngine

enum CoreBuiltins {
    static func print(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        context.write(args.extra.map { ValueFormatter.plain($0) }.joined(separator: " ") + "\n")
        return .null
    }

    static func seed(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        // seed(): the run's seed (--seed); seed(n): pinned (SeedPins finds these calls before a run).
        guard !args["n"].isNil else {
            context.session.randomKeys.reseed(context.session.options.seed)
            return .null
        }
        let n = try args.int("n")
        guard n >= 0 else { throw BuiltinError("seed must be a non-negative int, got \(n)", kind: .range) }
        context.session.randomKeys.reseed(UInt64(n))
        return .null
    }

    static func log(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        // log(x) with a number or tensor: the natural logarithm (ln).
        guard case .string = args["name"] else {
            guard args["value"].isNil else {
                throw BuiltinError("log: log(x, …) takes one number or tensor (the natural logarithm); to record a metric give its name first: log(\"name\", value)", kind: .argument)
            }
            return try AnalysisBuiltins.naturalLog(args["name"])
        }
        guard !args["value"].isNil else {
            throw BuiltinError("log: log(name, value) records a metric and needs its value", kind: .argument)
        }
        let name = try args.string("name")
        guard !name.isEmpty else { throw BuiltinError("log: the metric name must not be empty", kind: .range) }
        let value: Double
        switch args["value"] {
        case .int(let i): value = Double(i)
        case .float(let f): value = f
        case .host(let t as TensorValue):
            value = Double(try TensorBuiltins.engine { try t.tensor.item() })
        case let other:
            throw BuiltinError("log: value must be a number or a one-element tensor, got \(other.typeName)", kind: .type)
        }
        context.session.appendMetric(name, value)
        return .null
    }

    static func runID(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        .string(context.session.options.runID)
    }
}
