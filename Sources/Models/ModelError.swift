// Errors a user can cause in Models: a bad configuration, an input of the
// wrong shape, a weights or checkpoint file that does not fit the model, a
// request the model cannot answer (attention of a ConvLSTM). Each message
// names the thing at fault. Engine errors (TensorError) pass through as they are.

public enum ModelError: Error, CustomStringConvertible, Equatable {
    /// A configuration value out of range or inconsistent with another.
    case invalidConfig(String)
    /// An input tensor that does not fit the model.
    case badInput(op: String, detail: String)
    /// A weights file that does not match the model (missing, extra, mis-shaped tensors).
    case weights(path: String, detail: String)
    /// A checkpoint that cannot be used to resume this run.
    case checkpoint(path: String, detail: String)
    /// The model family has no attention maps.
    case noAttention(family: String)
    /// Invalid training or evaluation options.
    case invalidOption(op: String, detail: String)

    public var description: String {
        switch self {
        case let .invalidConfig(s): return "model config: \(s)"
        case let .badInput(op, detail): return "\(op): \(detail)"
        case let .weights(path, detail): return "\(path): \(detail)"
        case let .checkpoint(path, detail): return "checkpoint \(path): \(detail)"
        case let .noAttention(family):
            return "attention: a \(family) model has no attention maps (only sa_convlstm and sam_convlstm do)"
        case let .invalidOption(op, detail): return "\(op): \(detail)"
        }
    }
}

/// A forward pass abandoned because its interrupt check asked to stop.
struct ModelInterrupted: Error {}
