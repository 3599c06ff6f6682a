// MemoryCharges: the language's side of the memory budget (KymoBase's
// MemoryBudget, docs/language.md "Memory"). What a notebook asks for is
// checked against what is left of the process's budget before it is made —
// a list or string by its bytes, a tensor by its shape, a dataset, a model
// by its parameters, training by the model, its gradients and optimizer
// state and an estimate of a step's activations — and the tensors alive are
// checked after every built-in call. A refusal is a BuiltinError of kind
// `.limit`, which the interpreter reports at the expression, so the REPL
// keeps its state and a run's record ends `failed`.

import Foundation
import KymoBase
import Models

enum MemoryCharges {
    static var budget: MemoryBudget { .process }

    /// Throws a `.limit` error unless `bytes` more fit; `what` names them.
    static func check(_ bytes: Int?, _ what: String) throws {
        do { try budget.check(bytes, for: what) } catch let e as MemoryBudgetExceeded {
            throw BuiltinError(e.description, kind: .limit)
        }
    }

    /// Bytes of `count` things of `size` bytes each; nil on overflow.
    static func bytes(_ count: Int, _ size: Int) -> Int? {
        let (p, o) = count.multipliedReportingOverflow(by: size)
        return o || count < 0 ? nil : p
    }

    /// A list of `count` elements (each a `Value`, 16 bytes), made while
    /// lists of `operands` elements are held (they are counted too: lists
    /// are not among the tensors the budget tracks while they live).
    static func list(_ count: Int, operands: Int = 0) throws {
        let n = count.addingReportingOverflow(operands)
        try check(n.overflow ? nil : bytes(n.partialValue, MemoryLayout<Value>.stride), "a list of \(count) elements")
    }

    /// A string of `count` bytes.
    static func string(_ count: Int) throws {
        try check(count, "a string of \(count) bytes")
    }

    /// A float32 tensor of `count` elements made by `op`.
    static func tensor(_ count: Int?, _ op: String) throws {
        try check(count.flatMap { bytes($0, 4) }, "\(op): a tensor of \(count.map { "\($0)" } ?? "more") elements")
    }

    /// After a built-in or operator ran: the tensors alive must fit.
    static func after(_ what: String) throws {
        do { try budget.checkInUse(after: what) } catch let e as MemoryBudgetExceeded {
            throw BuiltinError(e.description, kind: .limit)
        }
    }

    /// A model of `config`, before its weights are made.
    static func model(_ config: ModelConfig) throws {
        try check(config.footprint.parameterBytes, "a \(config.family.displayName) of \(config.footprint.parameters.map(String.init) ?? "more") parameters")
    }

    /// Training `config` with `batch` sequences a step, before the first step:
    /// gradients and optimizer state (three more copies of the weights) and
    /// the activations a step keeps for its backward pass.
    static func training(_ config: ModelConfig, batch: Int) throws {
        let f = config.footprint
        let total = f.parameterBytes.flatMap { p -> Int? in
            guard let a = f.activationBytes(batch: batch) else { return nil }
            let (s, o1) = p.multipliedReportingOverflow(by: 3)
            let (t, o2) = s.addingReportingOverflow(a)
            return o1 || o2 ? nil : t
        }
        try check(total, "training \(config.family.displayName) (batch \(batch): gradients, optimizer state and a step's activations)")
    }
}
