// Weights as safetensors: `save` writes every parameter (F32, state_dict order,
// the names of Model.swift) plus the config as metadata; `load` reads a file
// written by Kymo or by PyTorch (`safetensors.torch.save_file(model.state_dict())`,
// any float dtype) with the checks of WeightsLoad.swift and refuses — changing
// nothing — when the file does not say it is this model's.
import TensorEngine

extension Model {
    /// Metadata key under which the config JSON is stored.
    public static let configMetadataKey = "kymo.config"

    /// The parameters as a safetensors file value (state_dict order).
    public func weightsFile() -> SafetensorsFile {
        SafetensorsFile(tensors: namedParameters, metadata: [Model.configMetadataKey: config.json, "format": "pt"])
    }

    /// Writes the weights to `path` atomically; the name must end in `.safetensors`.
    public func save(to path: String) throws {
        try Model.checkWeightsPath(path)
        try Safetensors.write(weightsFile(), path: path)
    }

    /// Refuses a weights file name that does not end in `.safetensors`: a
    /// `.pt`/`.pth` name promises a torch.save file, which torch.load would
    /// then fail to read.
    public static func checkWeightsPath(_ path: String) throws {
        guard !path.hasSuffix(".safetensors") else { return }
        let name = (path.split(separator: "/").last.map(String.init) ?? path)
        let stem = name.contains(".") ? String(name[..<name.lastIndex(of: ".")!]) : name
        throw ModelError.weights(path: path, detail: "save writes safetensors files; name it \(stem.isEmpty ? name : stem).safetensors "
                                 + "(a .pt or .pth name promises a torch.save file, which torch.load cannot read; "
                                 + "PyTorch reads Kymo's file with safetensors.torch.load_file)")
    }

    /// Loads weights from `path` with the default checks (strict); see `loadWeights(_:path:options:)`.
    public func load(from path: String) throws {
        _ = try loadWeights(from: path)
    }

    /// Copies the tensors of `file` into the parameters (strict checks of
    /// WeightsLoad.swift); on a refusal nothing is changed.
    public func load(_ file: SafetensorsFile, path: String) throws {
        _ = try loadWeights(file, path: path)
    }
}
