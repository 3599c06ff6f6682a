// FigureFormat: the three output formats, chosen by file extension.

public enum FigureFormat: String, Sendable, CaseIterable {
    case svg, pdf, png

    /// The format named by `path`'s extension (case-insensitive).
    public init(path: String) throws {
        let name = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex,
              let f = FigureFormat(rawValue: name[name.index(after: dot)...].lowercased()) else {
            throw FigureSaveError.unsupportedFormat(path: path)
        }
        self = f
    }
}

/// Why a figure could not be rendered or saved.
public enum FigureSaveError: Error, Equatable, CustomStringConvertible {
    case unsupportedFormat(path: String)
    case renderFailed(path: String?, format: FigureFormat, reason: String)
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unsupportedFormat(path):
            return "cannot save figure to '\(path)': the extension must be .svg, .pdf or .png"
        case let .renderFailed(path?, format, reason):
            return "cannot render figure as \(format.rawValue.uppercased()) for '\(path)': \(reason)"
        case let .renderFailed(nil, format, reason):
            return "cannot render figure as \(format.rawValue.uppercased()): \(reason)"
        case let .cannotWrite(path, reason):
            return "cannot write figure to '\(path)': \(reason)"
        }
    }
}
