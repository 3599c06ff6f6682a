// Weights as safetensors: `save` writes every parameter (F32, state_dict order,
// the names of Model.swift) plus the config as metadata; `load` reads a file
// written by Kymo or by PyTorch (`safetensors.torch.save_file(model.state_dict())`,
// any float dtype) and refuses — changing nothing — when a tensor is missing,
// extra or mis-shaped, naming each one.
import TensorEngine

extension Model {
    /// Metadata key under which the config JSON is stored.
    public static let configMetadataKey = "kymo.config"

    /// The parameters as a safetensors file value (state_dict order).
    public func weightsFile() -> SafetensorsFile {
        SafetensorsFile(tensors: namedParameters, metadata: [Model.configMetadataKey: config.json, "format": "pt"])
    }

    /// Writes the weights to `path` atomically.
    public func save(to path: String) throws {
        try Safetensors.write(weightsFile(), path: path)
    }

    /// Loads weights from `path`; see `load(_:path:)`.
    public func load(from path: String) throws {
        try load(try Safetensors.read(path: path), path: path)
    }

    /// Copies the tensors of `file` into the parameters. Every parameter must be
    /// present with its exact shape and nothing else may be in the file;
    /// otherwise nothing is changed and the error lists what differs.
    public func load(_ file: SafetensorsFile, path: String) throws {
        var byName: [String: Tensor] = [:]
        for (name, t) in file.tensors { byName[name] = t }
        var problems: [String] = []
        let mine = Set(namedParameters.map(\.name))
        let missing = namedParameters.map(\.name).filter { byName[$0] == nil }
        let extra = file.names.filter { !mine.contains($0) }
        func list(_ names: [String]) -> String {
            names.prefix(6).joined(separator: ", ") + (names.count > 6 ? " and \(names.count - 6) more" : "")
        }
        if !missing.isEmpty { problems.append("missing tensor\(missing.count == 1 ? "" : "s") \(list(missing))") }
        if !extra.isEmpty { problems.append("unexpected tensor\(extra.count == 1 ? "" : "s") \(list(extra))") }
        for (name, p) in namedParameters {
            if let t = byName[name], t.shape != p.shape {
                problems.append("tensor \(name) has shape \(describeShape(t.shape)), the model needs \(describeShape(p.shape))")
            }
        }
        if !problems.isEmpty {
            var detail = "weights do not fit this \(config.family.displayName) \(config.mode.rawValue) model: " + problems.joined(separator: "; ")
            if let saved = file.metadata[Model.configMetadataKey], let other = try? ModelConfig(json: saved), other != config {
                detail += " (the file was saved from: \(other.summary))"
            }
            throw ModelError.weights(path: path, detail: detail)
        }
        for (name, p) in namedParameters { try p.assign(byName[name]!) }
    }
}
