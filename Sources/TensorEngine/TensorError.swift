// Errors a user can cause (shape mismatch, bad axis, bad file). They name the
// op and the shapes and are thrown, so a REPL survives them. Internal
// invariants use `precondition` instead.

public enum TensorError: Error, CustomStringConvertible, Equatable {
    /// An op got operands whose shapes do not fit together.
    case shapeMismatch(op: String, shapes: [[Int]], detail: String)
    /// An axis outside the tensor's rank.
    case badAxis(op: String, axis: Int, rank: Int)
    /// An argument outside its valid range.
    case invalidArgument(op: String, detail: String)
    /// A file that is missing, truncated or inconsistent.
    case badFile(path: String, detail: String)

    public var description: String {
        switch self {
        case let .shapeMismatch(op, shapes, detail):
            let s = shapes.map { "[" + $0.map(String.init).joined(separator: ", ") + "]" }.joined(separator: " and ")
            return "\(op): incompatible shapes \(s)" + (detail.isEmpty ? "" : ": \(detail)")
        case let .badAxis(op, axis, rank):
            return "\(op): axis \(axis) is out of range for a tensor of rank \(rank)"
        case let .invalidArgument(op, detail):
            return "\(op): \(detail)"
        case let .badFile(path, detail):
            return "\(path): \(detail)"
        }
    }
}

/// Formats a shape the way every message in Kymo shows it: `[8, 64, 16, 16]`.
public func describeShape(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ", ") + "]"
}
