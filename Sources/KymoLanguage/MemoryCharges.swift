// MemoryCharges: the notebook's side of the memory budget (KymoBase's
// MemoryBudget, docs/language.md "Memory"). What a notebook asks for is
// checked against what is left of the process's budget before it is made —
// a list or string by its bytes, a tensor by its shape, a dataset, a model
// by its parameters, training by the model, its gradients and optimizer
// state and an estimate of a step's activations (those in Notebook's
// MemoryCharges+Kymo.swift) — and the tensors alive are checked after every
// built-in call. A refusal is a BuiltinError of kind
// `.limit`, which the interpreter reports at the expression, so the REPL
// keeps its state and a run's record ends `failed`.

import KymoBase

public enum MemoryCharges {
    public static var budget: MemoryBudget { .process }

    /// Throws a `.limit` error unless `bytes` more fit; `what` names them.
    public static func check(_ bytes: Int?, _ what: String) throws {
        do { try budget.check(bytes, for: what) } catch let e as MemoryBudgetExceeded {
            throw BuiltinError(e.description, kind: .limit)
        }
    }

    /// Bytes of `count` things of `size` bytes each; nil on overflow.
    public static func bytes(_ count: Int, _ size: Int) -> Int? {
        let (p, o) = count.multipliedReportingOverflow(by: size)
        return o || count < 0 ? nil : p
    }

    /// A list of `count` elements (each a `Value`, 16 bytes), made while
    /// lists of `operands` elements are held (they are counted too: lists
    /// are not among the tensors the budget tracks while they live).
    public static func list(_ count: Int, operands: Int = 0) throws {
        let n = count.addingReportingOverflow(operands)
        try check(n.overflow ? nil : bytes(n.partialValue, MemoryLayout<Value>.stride), "a list of \(count) elements")
    }

    /// A string of `count` bytes.
    public static func string(_ count: Int) throws {
        try check(count, "a string of \(count) bytes")
    }

    /// After a built-in or operator ran: the tensors alive must fit.
    public static func after(_ what: String) throws {
        do { try budget.checkInUse(after: what) } catch let e as MemoryBudgetExceeded {
            throw BuiltinError(e.description, kind: .limit)
        }
    }
}
