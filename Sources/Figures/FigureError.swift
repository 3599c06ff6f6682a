// FigureError: the mistakes a caller can make when building or drawing a
// figure, each with a message naming what was wrong and the sizes involved.

public enum FigureError: Error, Equatable, CustomStringConvertible {
    case pixelCountMismatch(width: Int, height: Int, count: Int)
    case lengthMismatch(what: String, expected: Int, got: Int)
    case sizeMismatch(what: String, expected: String, got: String)
    case empty(String)
    case invalidArgument(String)
    case queryOutOfBounds(y: Int, x: Int, width: Int, height: Int)
    case invalidFigureSize(width: Double, height: Double)
    case noPositiveValuesForLogScale(String)

    public var description: String {
        switch self {
        case let .pixelCountMismatch(w, h, n):
            return "image of \(w)×\(h) needs \(w * h) pixel values, got \(n)"
        case let .lengthMismatch(what, expected, got):
            return "\(what): expected \(expected) values, got \(got)"
        case let .sizeMismatch(what, expected, got):
            return "\(what): expected size \(expected), got \(got)"
        case let .empty(what):
            return "\(what) is empty"
        case let .invalidArgument(message):
            return message
        case let .queryOutOfBounds(y, x, w, h):
            return "query pixel (y: \(y), x: \(x)) lies outside the \(w)×\(h) frame"
        case let .invalidFigureSize(w, h):
            return "figure size must be positive and finite, got \(w)×\(h) pt"
        case let .noPositiveValuesForLogScale(what):
            return "\(what) has no positive values to show on a log scale"
        }
    }
}
