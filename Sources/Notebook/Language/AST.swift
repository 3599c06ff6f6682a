// AST: the tree the parser builds and the checker and interpreter walk.
// Every node carries the span a diagnostic about it should point at.
// Functions are classes (closures keep a reference to their declaration);
// everything else is a value type.

struct Expr {
    var kind: ExprKind
    var span: SourceSpan
}

enum UnaryOp: String { case negate = "-", not = "not" }

enum BinaryOp: String {
    case add = "+", sub = "-", mul = "*", div = "/", mod = "%"
    case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
    case and = "and", or = "or"
}

struct Argument {
    var label: String?
    var labelSpan: SourceSpan?
    var value: Expr
}

struct RecordField {
    var key: String
    var keySpan: SourceSpan
    var value: Expr
}

indirect enum ExprKind {
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
    case call(Expr, [Argument])
    /// The span of a member access is the member name's.
    case member(Expr, String)
    /// The span of an index is the opening bracket's.
    case index(Expr, Expr)
    case function(FunctionDecl)
}

struct Parameter {
    var name: String
    var span: SourceSpan
    var defaultValue: Expr?
}

final class FunctionDecl {
    let name: String?
    let span: SourceSpan
    let parameters: [Parameter]
    let body: [Stmt]

    init(name: String?, span: SourceSpan, parameters: [Parameter], body: [Stmt]) {
        self.name = name
        self.span = span
        self.parameters = parameters
        self.body = body
    }
}

enum AssignOp: String { case set = "=", add = "+=", sub = "-=", mul = "*=", div = "/=" }

struct Stmt {
    var kind: StmtKind
    var span: SourceSpan
}

indirect enum StmtKind {
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
    var isLiteral: Bool {
        switch kind {
        case .int, .float, .string, .bool, .null: return true
        case .unary(.negate, let e): if case .int = e.kind { return true }; if case .float = e.kind { return true }; return false
        case .list(let xs): return xs.allSatisfy(\.isLiteral)
        case .record(let fs): return fs.allSatisfy { $0.value.isLiteral }
        default: return false
        }
    }
}
