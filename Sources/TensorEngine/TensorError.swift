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

/// Whether a shape read from a file can be held and viewed without integer
/// overflow: every axis non-negative and the product of the axes (zeros
/// counted as 1, so an empty `[0, 9223372036854775807]` is caught too) times
/// `elementSize` fits in an Int. Checked by the file readers before any op
/// computes strides or allocates.
public func isAddressableShape(_ shape: [Int], elementSize: Int = 8) -> Bool {
    var extent = max(elementSize, 1)
    for d in shape {
        guard d >= 0 else { return false }
        let (p, overflow) = extent.multipliedReportingOverflow(by: max(d, 1))
        if overflow { return false }
        extent = p
    }
    return true
}
