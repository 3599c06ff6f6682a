// MemoryCharges+Kymo: the memory budget's charges for what only Kymo's
// built-ins make — tensors by their shape, datasets, models by their
// parameters, training (see KymoLanguage's MemoryCharges.swift).

import Foundation
import KymoBase
import KymoLanguage
import Models

extension MemoryCharges {
    /// A float32 tensor of `count` elements made by `op`.
    static func tensor(_ count: Int?, _ op: String) throws {
        try check(count.flatMap { bytes($0, 4) }, "\(op): a tensor of \(count.map { "\($0)" } ?? "more") elements")
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
