// Why a weights file does not fit a model, in the words a user needs: which
// configuration keys differ, which names a wrapper or the upstream code put
// on the tensors (read through with a note), what the file's names say about
// its mode, family and layers, that peepholes are missing, and what
// configuration the file's shapes imply. Lists are capped at six entries
// ("… and 40 more"). Used by WeightsLoad.swift; changes no weights itself.
import TensorEngine

enum WeightsDiagnosis {
    /// Lists at most six items, then "and N more".
    static func capped(_ items: [String], limit: Int = 6, separator: String = ", ") -> String {
        items.prefix(limit).joined(separator: separator) + (items.count > limit ? "\(separator)and \(items.count - limit) more" : "")
    }

    /// "int32 (I32)" for a safetensors dtype code.
    static func dtypeName(_ d: String) -> String {
        let names = ["I8": "int8", "I16": "int16", "I32": "int32", "I64": "int64", "U8": "uint8", "BOOL": "bool"]
        return names[d].map { "\($0) (\(d))" } ?? d
    }

    // MARK: configuration

    /// The keys `load` compares: those that decide the weights' shapes or what they compute.
    static func configDifferences(saved: ModelConfig, model: ModelConfig) -> [(key: String, saved: String, model: String)] {
        var out: [(key: String, saved: String, model: String)] = []
        func check(_ key: String, _ a: String, _ b: String) { if a != b { out.append((key, a, b)) } }
        check("family", saved.family.rawValue, model.family.rawValue)
        check("mode", saved.mode.rawValue, model.mode.rawValue)
        if saved.isSquare && model.isSquare {
            check("size", "\(saved.size)", "\(model.size)")
        } else {
            check("height", "\(saved.height)", "\(model.height)")
            check("width", "\(saved.width)", "\(model.width)")
        }
        check("channels", "\(saved.channels)", "\(model.channels)")
        check("patch", "\(saved.patch)", "\(model.patch)")
        check("layers", "\(saved.layers)", "\(model.layers)")
        check("hidden", "\(saved.hidden)", "\(model.hidden)")
        check("kernel", "\(saved.kernel)", "\(model.kernel)")
        check("activation", saved.activation.rawValue, model.activation.rawValue)
        if saved.family.hasAttention || model.family.hasAttention {
            check("attention_hidden", "\(saved.attentionHidden)", "\(model.attentionHidden)")
        }
        check("upstream_doubling", "\(saved.upstreamDoubling)", "\(model.upstreamDoubling)")
        return out
    }

    /// What `load` says when the file cannot tell the activation (no kymo.config).
    static func activationAssumption(_ c: ModelConfig) -> String {
        var s = "no kymo.config, and weights do not record the activation: this model computes with \(c.activation.rawValue) "
            + "(Kymo's default is tanh; the reference Seq2Seq's is relu, its Predictor's tanh); "
            + "if the file was trained with another, build the model with activation: \"…\""
        if c.family == .saConvlstm && !c.upstreamDoubling {
            s += "; an SA-ConvLSTM trained with the upstream repository's code also needs upstream_doubling: true"
        }
        return s
    }

    // MARK: names

    static let wrapperComponents: Set<String> = ["module", "_orig_mod", "model"]

    static func isPeephole(_ name: String) -> Bool {
        ["W_ci", "W_co", "W_cf"].contains { name == $0 || name.hasSuffix("." + $0) }
    }

    /// The dotted prefixes of `name`: "a.", "a.b.", … (not the whole name).
    static func dottedPrefixes(_ name: String) -> [String] {
        var out: [String] = [], cur = ""
        for part in name.split(separator: ".", omittingEmptySubsequences: false).dropLast() {
            cur += part + "."
            out.append(cur)
        }
        return out
    }

    /// The longest dotted prefix every name shares ("" when none).
    static func sharedPrefix(_ names: [String]) -> String {
        guard let first = names.first else { return "" }
        return dottedPrefixes(first).last { p in names.allSatisfy { $0.hasPrefix(p) } } ?? ""
    }

    /// The file's names as the model's: `prefix` (or a wrapper prefix on every
    /// name) stripped, the upstream `sa-convlstm{n}` layer names renamed; a note for each.
    static func mapNames(_ original: [String], model: Model, prefix: String?, path: String) throws
        -> (names: [String], notes: [String]) {
        var names = original, notes: [String] = []
        let mine = Set(model.namedParameters.map(\.name))
        if let p = prefix, !p.isEmpty {
            let n = names.filter { $0.hasPrefix(p) }.count
            guard n > 0 else {
                throw ModelError.weights(path: path, detail: "no tensor name starts with the prefix \"\(p)\" (the first is \(original.first ?? "none"))")
            }
            names = names.map { $0.hasPrefix(p) ? String($0.dropFirst(p.count)) : $0 }
            notes.append("stripped the prefix \"\(p)\" from \(n) tensor name\(n == 1 ? "" : "s") (prefix:)")
        } else if !names.allSatisfy(mine.contains), let first = names.first {
            let shared = dottedPrefixes(first).filter { p in names.allSatisfy { $0.hasPrefix(p) } }
            // A prefix whose removal gives the model's names, or one made of wrapper names only.
            let fits = shared.first { p in names.allSatisfy { mine.contains(String($0.dropFirst(p.count))) } }
            let wrapper = shared.last { p in p.split(separator: ".").allSatisfy { wrapperComponents.contains(String($0)) } }
            if let p = fits ?? wrapper {
                names = names.map { String($0.dropFirst(p.count)) }
                notes.append("every tensor name in the file starts with \"\(p)\" (as torch.nn.DataParallel's module., "
                             + "torch.compile's _orig_mod. or a training wrapper's model. do); read without it")
            }
        }
        if model.mode == .seq2seq && model.family.hasAttention {
            let own = model.family == .samConvlstm ? "sam-convlstm" : "sa_convlstm"
            var renamed: [String: String] = [:]   // upstream layer name → Kymo's
            names = names.map { name in
                guard !mine.contains(name), name.hasPrefix("sequential.sa-convlstm") else { return name }
                let rest = name.dropFirst("sequential.sa-convlstm".count)
                let digits = rest.prefix { $0.isNumber }
                guard !digits.isEmpty, rest.dropFirst(digits.count).first == "." else { return name }
                let candidate = "sequential.\(own)\(digits)" + rest.dropFirst(digits.count)
                guard mine.contains(candidate) else { return name }
                renamed["sa-convlstm\(digits)"] = "\(own)\(digits)"
                return candidate
            }
            if !renamed.isEmpty {
                let pairs = renamed.keys.sorted().map { "\($0) as \(renamed[$0]!)" }.joined(separator: ", ")
                notes.append("the file uses the upstream repository's layer names (an earlier version of its code calls the first layer "
                             + "sa-convlstm1); read \(pairs)")
            }
        }
        return (names, notes)
    }

    /// What a file's names say it holds: its assembly, family and number of layers.
    static func layout(of names: [String]) -> (mode: AssemblyMode?, family: ModelFamily?, layers: Int?) {
        var mode: AssemblyMode? = nil
        if !names.isEmpty && names.allSatisfy({ $0.hasPrefix("sequential.") }) { mode = .seq2seq }
        if !names.isEmpty && names.allSatisfy({ $0.hasPrefix("layers.") || $0.hasPrefix("head.") }) { mode = .predictor }
        var family: ModelFamily? = nil
        if names.contains(where: { $0.contains("attention_memory.") || $0.hasPrefix("sequential.sam-convlstm") }) {
            family = .samConvlstm
        } else if names.contains(where: { $0.contains("attention_x.") || $0.contains("attention_h.") || $0.hasPrefix("sequential.sa_convlstm") }) {
            family = .saConvlstm
        } else if names.contains(where: { $0.contains(".ConvLSTMCell.") })
                    || (mode == .predictor && names.contains { $0.hasPrefix("layers.") && !$0.contains("convlstm_cell.") }) {
            family = .convlstm
        }
        var indices: Set<Int> = []
        for n in names {
            let rest: Substring
            if n.hasPrefix("sequential.layernorm") { rest = n.dropFirst("sequential.layernorm".count) }
            else if n.hasPrefix("layers.") { rest = n.dropFirst("layers.".count) }
            else { continue }
            if let i = Int(rest.prefix { $0.isNumber }) { indices.insert(i) }
        }
        return (mode, family, indices.isEmpty ? nil : indices.count)
    }

    /// The refusal for names that do not match, most likely cause first.
    static func nameMismatch(missing: [String], extra: [String], fileNames: [String], original: [String],
                             model: Model, strict: Bool) -> String {
        let c = model.config
        var causes: [String] = []
        let guess = layout(of: fileNames)
        if let m = guess.mode, m != c.mode {
            let example = fileNames.first ?? ""
            causes.append("the file holds a \(m.rawValue) model's weights (names like \(example)); this model is \(c.mode.rawValue): "
                          + "build it with mode: \"\(m.rawValue)\"")
        }
        if let f = guess.family, f != c.family {
            causes.append("the file holds \(f.displayName) weights; this is a \(c.family.displayName) model: build it with \(f.rawValue)(…)")
        }
        if causes.isEmpty, let l = guess.layers, l != c.layers {
            causes.append("the file has \(l) layer\(l == 1 ? "" : "s"), this model \(c.layers): build it with layers: \(l)")
        }
        if extra.isEmpty && !missing.isEmpty && missing.allSatisfy(isPeephole) {
            causes.append("the file has no peephole weights (W_ci, W_co, W_cf): it was saved where the peepholes are not parameters "
                          + "(the upstream code on a GPU does not register them); load(…, strict: false) sets them to zero, their initial value there")
        }
        if causes.isEmpty {
            let shared = sharedPrefix(original)
            let own = sharedPrefix(model.namedParameters.map(\.name))
            if !shared.isEmpty && shared != own && !own.hasPrefix(shared) {
                causes.append("every tensor name in the file starts with \"\(shared)\": if that is a wrapper's, pass prefix: \"\(shared)\"")
            }
        }
        var lists: [String] = []
        if !missing.isEmpty { lists.append("missing tensor\(missing.count == 1 ? "" : "s") " + capped(missing)) }
        if !extra.isEmpty { lists.append("unexpected tensor\(extra.count == 1 ? "" : "s") " + capped(extra)) }
        return "weights do not fit this \(c.family.displayName) \(c.mode.rawValue) model: "
            + (causes + lists).joined(separator: "; ")
    }

    // MARK: shapes

    /// "the file's shapes imply hidden 8 (this model: 4), …" from layer 1 and the
    /// head, listing only what differs; nil when nothing can be told.
    static func impliedConfiguration(_ byName: [String: Tensor], model: Model) -> String? {
        let c = model.config
        let l1 = Model.layerPrefix(c, 1) + "." + (c.family == .convlstm ? "" : "convlstm_cell.")
        func shape(_ name: String) -> [Int]? { byName[name]?.shape }
        var items: [(what: String, file: String, model: String)] = []
        func add(_ what: String, _ file: String, _ mine: String) { if file != mine { items.append((what, file, mine)) } }
        var hidden: Int? = nil
        if let w = shape(l1 + "W_ci"), w.count == 3 {
            hidden = w[0]
            add("hidden", "\(w[0])", "\(c.hidden)")
            add("cell grid", "\(w[1])×\(w[2])", "\(c.gridHeight)×\(c.gridWidth)" + (c.patch > 1 ? " (\(c.height)×\(c.width) / patch \(c.patch))" : ""))
        } else if let b = shape(l1 + "conv.bias"), b.count == 1, b[0] % 4 == 0 {
            hidden = b[0] / 4
            add("hidden", "\(b[0] / 4)", "\(c.hidden)")
        }
        if let w = shape(l1 + "conv.weight"), w.count == 4 {
            add("kernel", "\(w[2])", "\(c.kernel)")
            if let h = hidden {
                add(c.mode == .predictor ? "input channels (channels · patch²)" : "channels", "\(w[1] - h)", "\(c.inputChannels)")
            }
        }
        if c.family.hasAttention {
            let q = Model.layerPrefix(c, 1) + (c.family == .samConvlstm ? ".attention_memory.query_h.weight" : ".attention_h.query_h.weight")
            if let w = shape(q), w.count == 4 { add("attention_hidden", "\(w[0])", "\(c.attentionHidden)") }
        }
        if c.mode == .seq2seq, let w = shape("sequential.layernorm1.weight"), w.count == 4 {
            add("frames_in (the LayerNorm's T)", "\(w[1])", "\(c.framesIn)")
        }
        guard !items.isEmpty else { return nil }
        return "the file's shapes imply " + items.map { "\($0.what) \($0.file) (this model: \($0.model))" }.joined(separator: ", ")
    }
}
