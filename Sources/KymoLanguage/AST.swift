// AST: the tree the parser builds and the checker and interpreter walk.
// Every node carries the span a diagnostic about it should point at.
// Functions are classes (closures keep a reference to their declaration);
// everything else is a value type.

public struct Expr {
    public var kind: ExprKind
    public var span: SourceSpan
}

public enum UnaryOp: String { case negate = "-", not = "not" }

public enum BinaryOp: String, Sendable {
    case add = "+", sub = "-", mul = "*", div = "/", mod = "%"
    case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
    case and = "and", or = "or"
}

public struct CallArgument {
    public var label: String?
    public var labelSpan: SourceSpan?
    public var value: Expr
}

public struct RecordField {
    public var key: String
    public var keySpan: SourceSpan
    public var value: Expr
}

public indirect enum ExprKind {
    case int(Int)
    case float(Double)
    case string(String)
    case bool(Bool)
    case null
    case name(String)
    case list([Expr])
    case record([RecordField])
    case unary(UnaryOp, Expr)
    /// The span of a binary expression is its operator's.
    case binary(BinaryOp, Expr, Expr)
    case range(Expr, Expr, closed: Bool)
    /// The span of a call is its callee's (for a method, the method name's).
    case call(Expr, [CallArgument])
    /// The span of a member access is the member name's.
    case member(Expr, String)
    /// The span of an index is the opening bracket's. The index may be a
    /// `.range` (a slice) or a `.slice`.
    case index(Expr, Expr)
    /// A range with an open end, `a...`, `..<b`, `...b`: only inside `[ ]`
    /// (a slice); the span is the operator's.
    case slice(Expr?, Expr?, closed: Bool)
    /// `"text \(x) more \(y, format: ".3f")"`: the span is the string's.
    case interpolation([InterpolationPart])
    case function(FunctionDecl)
}

/// One piece of an interpolated string: literal text, or an expression with
/// an optional format spec (an expression giving a `format` spec string).
public enum InterpolationPart {
    case text(String)
    case value(Expr, format: Expr?)
}

public struct Parameter {
    public var name: String
    public var span: SourceSpan
    public var defaultValue: Expr?
}

public final class FunctionDecl {
    public let name: String?
    public let span: SourceSpan
    public let parameters: [Parameter]
    public let body: [Stmt]

    public init(name: String?, span: SourceSpan, parameters: [Parameter], body: [Stmt]) {
        self.name = name
        self.span = span
        self.parameters = parameters
        self.body = body
    }
}

public enum AssignOp: String { case set = "=", add = "+=", sub = "-=", mul = "*=", div = "/=" }

public struct Stmt {
    public var kind: StmtKind
    public var span: SourceSpan
}

public indirect enum StmtKind {
    /// `let name = value` (constant) or `var name = value`; the span is the name's.
    case declaration(name: String, value: Expr, constant: Bool)
    case function(FunctionDecl)
    case assign(target: Expr, AssignOp, value: Expr)
    case ifElse(condition: Expr, then: [Stmt], else: [Stmt]?)
    /// The span of a `for` is its variable's.
    case forIn(variable: String, sequence: Expr, body: [Stmt])
    case returnValue(Expr?)
    case expression(Expr)
}

extension Expr {
    /// True for literal values (what `--set` accepts).
    public var isLiteral: Bool {
        switch kind {
        case .int, .float, .string, .bool, .null: return true
        case .unary(.negate, let e): if case .int = e.kind { return true }; if case .float = e.kind { return true }; return false
        case .list(let xs): return xs.allSatisfy(\.isLiteral)
        case .record(let fs): return fs.allSatisfy { $0.value.isLiteral }
        default: return false
        }
    }
}
