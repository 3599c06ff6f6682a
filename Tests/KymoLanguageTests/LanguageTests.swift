// The language on its own: scanner → parser → checker → interpreter with a
// small host of this file (two built-ins and a "vector" host kind), no
// engine, model, data, figure or record in sight. The full language is
// exercised by Tests/NotebookTests/Scripts through Kymo's own session.

import XCTest
@testable import KymoLanguage

/// A host that collects output and can be interrupted.
private final class TestHost: InterpreterHost {
    var output = ""
    /// Becomes true after this many checks (nil: never, unless set).
    var interruptAfterChecks: Int?
    var interruptSet = false
    var isInterruptRequested: Bool {
        get {
            if let n = interruptAfterChecks { interruptAfterChecks = n - 1; if n <= 0 { return true } }
            return interruptSet
        }
        set { interruptSet = newValue }
    }
    var maxElements = 1_000
    func write(_ text: String) { output += text }
}

/// A host value with arithmetic: a list of doubles added elementwise.
private final class Vector: HostObject {
    let xs: [Double]
    init(_ xs: [Double]) { self.xs = xs }
    var kindName: String { "vector" }
    var propertyNames: [String] { ["count"] }
    func property(_ name: String) throws -> Value? { name == "count" ? .int(xs.count) : nil }
    func describe(indent: Int) -> String { "vector(\(xs.map { ValueFormatter.plain(.float($0)) }.joined(separator: ", ")))" }
    func negated() throws -> Value? { .host(Vector(xs.map { -$0 })) }
    func arithmetic(_ op: BinaryOp, _ other: Value, reversed: Bool, limit: Int) throws -> Value? {
        guard op == .add else { return nil }
        switch other {
        case .host(let v as Vector):
            guard v.xs.count == xs.count else { throw BuiltinError("vectors of \(xs.count) and \(v.xs.count) elements") }
            return .host(Vector(zip(xs, v.xs).map { $0 + $1 }))
        case .int, .float: return .host(Vector(xs.map { $0 + other.numberValue! }))
        default: return nil
        }
    }
    var equalityRefusal: String? { "vectors cannot be compared with '=='" }
}

private func registry() -> BuiltinRegistry {
    let vector = ParamType.host("vector")
    return BuiltinRegistry(functions: [
        BuiltinDeclaration("print", variadic: true, doc: "Prints its arguments.") { args, context in
            context.write(args.extra.map(ValueFormatter.plain).joined(separator: " ") + "\n")
            return .null
        },
        BuiltinDeclaration("vec", [.positional("values", .list)], returns: vector, doc: "A vector.") { args, _ in
            guard case .list(let xs) = args["values"] else { return .null }
            return .host(Vector(xs.compactMap(\.numberValue)))
        },
        BuiltinDeclaration("spin", [.named("times", .int, default: .int(10), range: .atLeast(1))], doc: "Loops.") { args, context in
            for _ in 0..<(try args.int("times")) where context.isInterrupted { throw BuiltinError("stopped") }
            return .int(try args.int("times"))
        },
    ] + ListBuiltins.declarations, hostKinds: ["vector": HostKind(properties: [HostProperty("count", .int)], methods: [], indexYields: nil,
                                                    arithmetic: [.add], negates: true)])
}

/// Checks then runs a notebook the way Kymo's session does; returns the
/// static errors, or the output and the run-time error of the first failing cell.
private func runNotebook(_ text: String, host: TestHost = TestHost(), stepLimit: Int? = nil) -> (output: String, errors: [String]) {
    let document = NotebookDocument(name: "nb.kymo", text: text)
    let r = registry()
    let checker = Checker(registry: r, interactive: false)
    for cell in document.cells { checker.check(cell.statements) }
    let errors = (document.syntaxErrors + checker.diagnostics).map(\.description)
    guard errors.isEmpty else { return ("", errors) }
    let interpreter = Interpreter(host: host, registry: r)
    interpreter.stepLimit = stepLimit
    for cell in document.cells {
        do { _ = try interpreter.run(cell.statements) } catch let d as Diagnostic {
            return (host.output, [d.description])
        } catch { return (host.output, ["\(error)"]) }
    }
    return (host.output, [])
}

final class LanguageTests: XCTestCase {
    /// A 20,000-character bad line is shown cut around the error (`…` on each side), the caret still under it.
    func testLongBadLinesAreCutAroundTheError() {
        let text = "let x = [" + String(repeating: "1, ", count: 3000) + "@@" + String(repeating: ", 2", count: 3660) + "]"
        let file = SourceFile(name: "long.kymo", text: text)
        let column = text.distance(from: text.startIndex, to: text.range(of: "@@")!.lowerBound) + 1
        let excerpt = DiagnosticFormatter.excerpt(SourceSpan(file, SourceLocation(line: 1, column: column), length: 20_000))
        let lines = excerpt.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertLessThanOrEqual(lines[0].count, DiagnosticFormatter.excerptWidth + 2)
        XCTAssertLessThanOrEqual(lines[1].count, DiagnosticFormatter.excerptWidth + 2)
        XCTAssertTrue(lines[0].hasPrefix("…") && lines[0].hasSuffix("…"), String(lines[0]))
        let caret = lines[1].firstIndex(of: "^")!
        let offset = lines[1].distance(from: lines[1].startIndex, to: caret)
        XCTAssertEqual(String(Array(lines[0])[offset..<offset + 2]), "@@")
        // A short line is shown whole.
        let short = SourceFile(name: "s.kymo", text: "let y = nope")
        XCTAssertEqual(DiagnosticFormatter.excerpt(SourceSpan(short, SourceLocation(line: 1, column: 9), length: 4)), "let y = nope\n        ^~~~\n")
    }

    func testCellsRunInOrderWithFunctionsLoopsAndRecords() {
        let (output, errors) = runNotebook("""
        %% One
        fn square(x) { return x * x }
        var total = 0
        for i in 0..<4 { total += square(i) }
        %% Two
        let r = {total: total, name: "sq" + "uares"}
        print(r.name, r.total, r["total"] / 2, 7 % 3)
        """)
        XCTAssertEqual(errors, [])
        XCTAssertEqual(output, "squares 14 7 1\n")
    }

    func testHostValuesBringTheirOwnArithmetic() {
        let (output, errors) = runNotebook("let v = vec([1, 2]) + vec([10, 20])\nprint(v, 1 + v, -v, v.count)\n")
        XCTAssertEqual(errors, [])
        XCTAssertEqual(output, "vector(11.0, 22.0) vector(12.0, 23.0) vector(-11.0, -22.0) 2\n")
        XCTAssertEqual(runNotebook("print(vec([1]) * 2)\n").errors.first?.contains("cannot apply '*' to vector and int"), true)
        XCTAssertEqual(runNotebook("print(vec([1]) == vec([1]))\n").errors.first?.contains("vectors cannot be compared with '=='"), true)
        XCTAssertEqual(runNotebook("print(vec([1]) + vec([1, 2]))\n").errors.first?.contains("vectors of 1 and 2 elements"), true)
    }

    func testTheCheckerUsesTheRegistryItIsGiven() {
        let errors = runNotebook("let v = vec([1])\nprint(v.cuont)\nspin(tiems: 2)\nprnt(1)\n").errors
        XCTAssertEqual(errors.count, 3, "\(errors)")
        XCTAssertTrue(errors[0].hasPrefix("nb.kymo:2:9: error: vector has no property 'cuont'; did you mean 'count'?"), errors[0])
        XCTAssertTrue(errors[1].hasPrefix("nb.kymo:3:6: error: unknown argument 'tiems'; did you mean 'times'?"), errors[1])
        XCTAssertTrue(errors[2].hasPrefix("nb.kymo:4:1: error: unknown name 'prnt'; did you mean 'print'?"), errors[2])
        XCTAssertTrue(runNotebook("spin(times: 0)\n").errors.first?.contains("must be at least 1") ?? false)
    }

    func testTheHostsInterruptAndLimitsReachTheInterpreter() {
        let host = TestHost()
        host.isInterruptRequested = true
        let interrupted = runNotebook("var n = 0\nfor i in 0..<10 { n += 1 }\n", host: host).errors
        XCTAssertEqual(interrupted.first?.contains("error: interrupted"), true, "\(interrupted)")
        let small = TestHost()
        small.maxElements = 4
        let limited = runNotebook("var xs = [1, 2, 3]\nxs = xs + xs\n", host: small).errors
        XCTAssertEqual(limited.first?.contains("list would exceed the limit of 4 elements"), true, "\(limited)")
    }

    func testRuntimeErrorsNameTheLineAndColumn() {
        let (output, errors) = runNotebook("print(1)\nlet xs = [1, 2]\nprint(xs[5])\n")
        XCTAssertEqual(output, "1\n")
        XCTAssertTrue(errors.first?.hasPrefix("nb.kymo:3:10: error: index 5 is out of range for a list of 2 elements") ?? false, "\(errors)")
    }

    func testListBuiltinsSlicesAndInterpolationNeedNoEngine() {
        let (output, errors) = runNotebook("""
        let xs = [4, 1, 3]
        fn len2(v) { return v.count }
        print(sum(xs), mean(xs[1...]), map(xs, fn(x) { return x + 1 }), filter(xs, fn(x) { return x > 1 }))
        print("last \\(xs[-1]) of \\(len2(xs)), \\(mean(xs), format: ".2f")")
        """)
        XCTAssertEqual(errors, [])
        XCTAssertEqual(output, "8 2.0 [5, 2, 4] [4, 3]\nlast 3 of 3, 2.67\n")
    }

    func testFunctionsCalledByBuiltinsCountStepsAndAnswerInterrupts() {
        // Each call map makes is a step: the limit stops a long map inside one statement.
        let limited = runNotebook("let ys = map(0..<900, fn(x) { return x })\n", stepLimit: 1_000).errors
        XCTAssertTrue(limited.first?.contains("error: step limit of 1000 exceeded") ?? false, "\(limited)")
        // An interrupt that arrives during map stops it at the next call.
        let host = TestHost()
        host.interruptAfterChecks = 50
        let interrupted = runNotebook("let ys = map(0..<900, fn(x) { return x })\n", host: host).errors
        XCTAssertTrue(interrupted.first?.contains("error: interrupted") ?? false, "\(interrupted)")
        // Recursion through a built-in is an error, not a crash.
        let deep = runNotebook("fn f(n) { return map([n], fn(x) { return f(x + 1) }) }\nf(0)\n").errors
        XCTAssertTrue(deep.first.map { $0.contains("nested too deeply") || $0.contains("too many nested calls") } ?? false, "\(deep)")
        // The wrong arity is named before anything runs; an error inside keeps its own place.
        let arity = runNotebook("fn add(a, b) { return a + b }\nfn apply(g) { return map([1], g) }\nprint(apply(add))\n").errors
        XCTAssertTrue(arity.first?.hasPrefix("nb.kymo:2:22: error: map: the function add takes 2 arguments, but map passes 1") ?? false, "\(arity)")
        // Where the function is known statically, the checker says so before anything runs.
        let checked = runNotebook("fn add(a, b) { return a + b }\nprint(map([1], add), any([1], fn(x, y = 2) { return true }))\n").errors
        XCTAssertEqual(checked.count, 1, "\(checked)")
        XCTAssertTrue(checked.first?.hasPrefix("nb.kymo:2:16: error: map: the function add takes 2 arguments, but map passes 1") ?? false, "\(checked)")
        let inside = runNotebook("print(map([1, 0], fn(x) {\n  return 1 / x\n}))\n").errors
        XCTAssertTrue(inside.first?.hasPrefix("nb.kymo:2:12: error: division by zero") ?? false, "\(inside)")
    }

    func testInterpolationErrorsPointIntoTheString() {
        let errors = runNotebook("let a = 1\nprint(\"x \\(b) y\")\nprint(\"\\(a +)\")\n").errors
        XCTAssertTrue(errors.contains { $0.hasPrefix("nb.kymo:2:12: error: unknown name 'b'") }, "\(errors)")
        XCTAssertTrue(errors.contains { $0.hasPrefix("nb.kymo:3:13: error: expected an expression") }, "\(errors)")
        let unterminated = runNotebook("print(\"\\(a\")\n").errors
        XCTAssertTrue(unterminated.first?.contains("unterminated") ?? false, "\(unterminated)")
    }
}
