// Token: what the scanner hands the parser. A kind, the exact text, a span
// and, for literals, the decoded value.

enum TokenKind: String, Equatable, Sendable {
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

    static let keywords: [String: TokenKind] = {
        var k: [String: TokenKind] = [:]
        for kind in [TokenKind.kwLet, .kwVar, .kwFn, .kwReturn, .kwIf, .kwElse, .kwFor, .kwIn,
                     .kwAnd, .kwOr, .kwNot, .kwTrue, .kwFalse, .kwNil] {
            k[kind.rawValue] = kind
        }
        return k
    }()

    /// How the kind reads in "expected …" messages.
    var display: String {
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

struct Token: Sendable {
    var kind: TokenKind
    var text: String
    var span: SourceSpan
    var intValue: Int = 0
    var floatValue: Double = 0
    var stringValue: String = ""

    var isKeyword: Bool { TokenKind.keywords[text] == kind }
}
