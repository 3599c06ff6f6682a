// Loading weights as a careful user would check them by hand (docs/models.md,
// "Moving weights between PyTorch and Kymo"):
//   1. the file's kind: a Kymo weights file, the model part of a Kymo training
//      checkpoint (`model.<name>` tensors), or a file without `kymo.config`
//      (a PyTorch state_dict); PyTorch zip/pickle files never get this far
//      (TensorEngine's ForeignWeightsFormat refuses them);
//   2. the saved configuration against the model's, key by key: a difference is
//      an error naming both values, or with `strict: false` a note;
//   3. only float tensors (F32, F16, BF16, F64);
//   4. names, after a wrapper prefix (`module.`, `_orig_mod.`, `model.`) or the
//      upstream `sa-convlstm{n}` layer names are read through, with a note —
//      a mismatch is diagnosed by WeightsDiagnosis.swift;
//   5. shapes; then every tensor is copied, or — on any refusal — none.
// Without `kymo.config` the activation cannot be read from the weights: what
// `load` reports says which one the model computes with.
import TensorEngine

/// How `load` treats a file that does not say exactly what the model is.
public struct WeightsLoadOptions: Sendable {
    /// false: a `kymo.config` differing from the model's gives notes instead
    /// of an error, and missing peephole weights are set to zero with a note.
    public var strict: Bool
    /// A prefix to strip from every tensor name that carries it (e.g. "module.").
    public var prefix: String?

    public init(strict: Bool = true, prefix: String? = nil) {
        self.strict = strict
        self.prefix = prefix
    }
}

/// What `load` did: printed by the notebook's `load` and kept in its output.
public struct WeightsLoadReport: Sendable, Equatable {
    /// Tensors copied into the model.
    public var tensors: Int
    /// The dtypes they were stored as, sorted ("F32", "F16", …).
    public var dtypes: [String]
    /// What the file was: "a Kymo weights file", "the model part of a Kymo training checkpoint (step 3)", …
    public var source: String
    /// One line per thing the user should know (a stripped prefix, a config
    /// difference allowed by strict: false, the activation assumed, …).
    public var notes: [String]

    /// "loaded 46 tensors (F32) from w.safetensors, a Kymo weights file" and the notes, one per line.
    public func text(path: String) -> String {
        var s = "loaded \(tensors) tensor\(tensors == 1 ? "" : "s") (\(dtypes.joined(separator: ", "))) from \(path), \(source)"
        for n in notes { s += "\nnote: " + n }
        return s
    }
}

extension Model {
    /// The metadata key of a Kymo training checkpoint (Checkpoint.swift).
    static let checkpointMarker = "kymo.checkpoint"

    /// Reads `path` and loads it; see `loadWeights(_:path:options:)`.
    public func loadWeights(from path: String, options: WeightsLoadOptions = WeightsLoadOptions()) throws -> WeightsLoadReport {
        try loadWeights(try Safetensors.read(path: path), path: path, options: options)
    }

    /// Checks `file` against this model (kind, configuration, dtypes, names,
    /// shapes) and copies its tensors into the parameters. On any refusal
    /// nothing is changed and the error says what differs and, where it can
    /// tell, why.
    public func loadWeights(_ file: SafetensorsFile, path: String, options: WeightsLoadOptions = WeightsLoadOptions()) throws -> WeightsLoadReport {
        func fail(_ s: String) -> ModelError { .weights(path: path, detail: s) }
        var notes: [String] = []
        var tensors = file.tensors
        var dtypes = file.dtypes
        let savedText: String?
        var source: String
        if file.metadata[Model.checkpointMarker] != nil {
            // A training checkpoint: its model part, config under "config".
            tensors = file.tensors.filter { $0.name.hasPrefix("model.") }.map { (String($0.name.dropFirst(6)), $0.tensor) }
            dtypes = [:]
            for (name, d) in file.dtypes where name.hasPrefix("model.") { dtypes[String(name.dropFirst(6))] = d }
            savedText = file.metadata["config"]
            source = "the model part of a Kymo training checkpoint" + (file.metadata["step"].map { " (step \($0))" } ?? "")
            guard !tensors.isEmpty else { throw fail("a Kymo training checkpoint without model weights (no model.* tensors)") }
        } else {
            savedText = file.metadata[Model.configMetadataKey]
            source = savedText == nil ? "a file without kymo.config (a PyTorch state_dict, or saved by another tool)" : "a Kymo weights file"
        }

        // 2. The saved configuration.
        if let text = savedText {
            var saved: ModelConfig? = nil
            do { saved = try ModelConfig(json: text) } catch {
                guard !options.strict else { throw fail("its kymo.config cannot be read (\(error)); pass strict: false to load without it") }
                notes.append("its kymo.config cannot be read (\(error)); loaded by names and shapes alone")
            }
            if let saved {
                let diffs = WeightsDiagnosis.configDifferences(saved: saved, model: config)
                if !diffs.isEmpty && options.strict {
                    let list = diffs.map { "\($0.key) \($0.saved) in the file, \($0.model) in this model" }
                    throw fail("the file was saved from another model (\(saved.summary)): " + list.joined(separator: "; ")
                               + ". Build the model with the file's values, or pass strict: false to load the tensors anyway"
                               + " (shapes must still fit)")
                }
                notes += diffs.map { "kymo.config differs (strict: false): \($0.key) \($0.saved) in the file, \($0.model) in this model; the model keeps \($0.model)" }
            }
        } else {
            notes.append(WeightsDiagnosis.activationAssumption(config))
        }

        // 3. Float tensors only.
        let nonFloat = tensors.compactMap { t -> String? in
            guard let d = dtypes[t.name], !Safetensors.floatDtypes.contains(d) else { return nil }
            return "\(t.name) is \(WeightsDiagnosis.dtypeName(d))"
        }
        if !nonFloat.isEmpty {
            throw fail("weights must be float tensors (F32, F16, BF16 or F64); " + WeightsDiagnosis.capped(nonFloat)
                       + " (an exporter that rounds weights to integers loses them)")
        }

        // 4. Names.
        let mapped = try WeightsDiagnosis.mapNames(tensors.map(\.name), model: self, prefix: options.prefix, path: path)
        notes += mapped.notes
        var byName: [String: Tensor] = [:], dtypeOf: [String: String] = [:]
        for (t, name) in zip(tensors, mapped.names) {
            guard byName[name] == nil else {
                throw fail("two tensors of the file are read as \(name) (with and without the prefix?); pass prefix: to say which names to read")
            }
            byName[name] = t.tensor
            dtypeOf[name] = dtypes[t.name] ?? "F32"
        }
        var mine = namedParameters.map(\.name)
        let mineSet = Set(mine)
        let missing = mine.filter { byName[$0] == nil }
        let extra = mapped.names.filter { !mineSet.contains($0) }
        var zeroed: [String] = []
        if !missing.isEmpty || !extra.isEmpty {
            if extra.isEmpty && missing.allSatisfy(WeightsDiagnosis.isPeephole) && !options.strict {
                zeroed = missing
                notes.append("the file has no peephole weights (\(WeightsDiagnosis.capped(missing))); set to zero, "
                             + "their initial value in the reference (strict: false)")
            } else {
                throw fail(WeightsDiagnosis.nameMismatch(missing: missing, extra: extra, fileNames: mapped.names,
                                                         original: tensors.map(\.name), model: self, strict: options.strict))
            }
        }
        mine = mine.filter { !zeroed.contains($0) }

        // 5. Shapes.
        var wrong: [String] = []
        for (name, p) in namedParameters {
            if let t = byName[name], t.shape != p.shape {
                wrong.append("tensor \(name) has shape \(describeShape(t.shape)), the model needs \(describeShape(p.shape))")
            }
        }
        if !wrong.isEmpty {
            var detail = "weights do not fit this \(config.family.displayName) \(config.mode.rawValue) model: "
            if let implied = WeightsDiagnosis.impliedConfiguration(byName, model: self) { detail += implied + "; " }
            detail += "\(wrong.count) tensor\(wrong.count == 1 ? "" : "s") of another shape: " + WeightsDiagnosis.capped(wrong, separator: "; ")
            throw fail(detail)
        }
        for (name, p) in namedParameters {
            if zeroed.contains(name) { try p.assign(Tensor(zeros: p.shape)) } else { try p.assign(byName[name]!) }
        }
        let kinds = Set(mine.map { dtypeOf[$0] ?? "F32" })
        return WeightsLoadReport(tensors: mine.count, dtypes: kinds.sorted(), source: source, notes: notes)
    }
}
