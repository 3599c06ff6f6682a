// Token: what the scanner hands the parser. A kind, the exact text, a span
// and, for literals, the decoded value.

public enum TokenKind: String, Equatable, Sendable {
    case identifier, integer, float, string, newline, eof
    // keywords (raw value = spelling)
    case kwLet = "let", kwVar = "var", kwFn = "fn", kwReturn = "return"
    case kwIf = "if", kwElse = "else", kwFor = "for", kwIn = "in"
    case kwAnd = "and", kwOr = "or", kwNot = "not"
    case kwTrue = "true", kwFalse = "false", kwNil = "nil"
    // punctuation
    case lparen = "(", rparen = ")", lbracket = "[", rbracket = "]", lbrace = "{", rbrace = "}"
    case comma = ",", colon = ":", dot = ".", semicolon = ";"
    case plus = "+", minus = "-", star = "*", slash = "/", percent = "%"
    case equal = "=", equalEqual = "==", bangEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case halfOpenRange = "..<", closedRange = "..."
    case plusEqual = "+=", minusEqual = "-=", starEqual = "*=", slashEqual = "/="

    public static let keywords: [String: TokenKind] = {
        var k: [String: TokenKind] = [:]
        for kind in [TokenKind.kwLet, .kwVar, .kwFn, .kwReturn, .kwIf, .kwElse, .kwFor, .kwIn,
                     .kwAnd, .kwOr, .kwNot, .kwTrue, .kwFalse, .kwNil] {
            k[kind.rawValue] = kind
        }
        return k
    }()

    /// How the kind reads in "expected …" messages.
    public var display: String {
        switch self {
        case .identifier: return "a name"
        case .integer, .float: return "a number"
        case .string: return "a string"
        case .newline: return "end of line"
        case .eof: return "end of input"
        default: return "'\(rawValue)'"
        }
    }
}

public struct Token: Sendable {
    public var kind: TokenKind
    public var text: String
    public var span: SourceSpan
    public var intValue: Int = 0
    public var floatValue: Double = 0
    public var stringValue: String = ""
    /// For a string with `\(…)` in it: its pieces, in order (nil for a plain string).
    public var interpolation: [InterpolationSegment]?

    public var isKeyword: Bool { TokenKind.keywords[text] == kind }
}

/// A piece of an interpolated string literal as scanned: text, or the source
/// of an expression between `\(` and `)` with where it starts.
public enum InterpolationSegment: Sendable {
    case text(String)
    case code(String, SourceLocation)
}
