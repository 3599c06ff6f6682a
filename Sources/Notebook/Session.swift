// Session: the driver that shows the pipeline. A notebook is scanned and
// parsed (NotebookDocument), checked as a whole (Checker) — and only if nothing was
// reported are its cells interpreted, in order (Interpreter). A REPL input
// goes through the same stages against the session's current variables.
//
// Each cell yields a `CellResult`: title, source, printed output, the names
// it bound, status, duration. Output goes only to the sink the host passed
// in; the session reads no terminal and writes no file of its own.
// Records and replay build on `results`, `values(boundBy:)` and `metrics`.

import Foundation
import KymoLanguage
import Records
import TensorEngine
import Models

public struct SessionOptions {
    /// `--seed`: the root seed until a `seed(n)` call changes it.
    public var seed: UInt64 = 0
    /// `--set key=value` pairs, in command-line order.
    public var overrides: [(key: String, value: String)] = []
    /// What `run_id()` returns.
    public var runID: String = ""
    /// REPL rules: top-level redeclaration allowed, a final bare expression is printed.
    public var interactive = false
    /// Stop any cell after this many statements, loop iterations and calls (fuzzing).
    public var stepLimit: Int?
    /// The largest tensor a built-in may create, in elements.
    public var maxTensorElements = 1 << 28
    /// Relative paths in built-ins resolve against this directory.
    public var workingDirectory: String?
    public var output: OutputSink = BufferSink()
    public var progress: ProgressReporter = SilentProgress()
    public var interrupt = InterruptFlag()
    /// Where built-ins report the files they write and their training calls:
    /// the run record of a recording host; nil runs unrecorded.
    public var recordHooks: RunRecordHooks?
    /// How `fig.save(path)` writes a figure (the host's renderer, Cairo in
    /// `kymo`); nil makes `.save` fail with a clear error.
    public var figureWriter: FigureWriter?
    /// The date saved figures carry (FigureMetadata.date): the run's recorded
    /// start, the replayed record's in a replay; nil: a pinned date.
    public var figureDate: String?
    /// Where `fig.show()` shows a figure (a Jupyter kernel's output); nil: nowhere.
    public var figureDisplay: FigureDisplay?
    /// Where built-ins may read and write (`PathPolicy`); unconfined by default.
    public var paths = PathPolicy.unconfined
    /// Files hashed so far (shared with a replay's input check); nil: the session's own.
    public var fileHashes: FileHashCache?
    /// The processes running this notebook together (an MPI job): `train`
    /// splits each batch over them, `evaluate` and validation their sequences.
    public var processGroup: ProcessGroup = SingleProcess()

    public init() {}
}

public struct CellResult {
    /// Position in this session (0-based; REPL inputs count as cells).
    public let index: Int
    public let title: String?
    public let source: String
    public internal(set) var output = ""
    /// Global names the cell declared or assigned, in first-touch order.
    public internal(set) var boundNames: [String] = []
    public internal(set) var status: CellStatus = .complete
    public internal(set) var diagnostics: [Diagnostic] = []
    /// Seconds, wall clock.
    public internal(set) var duration: Double = 0
    /// The value of a final bare expression (REPL inputs).
    public internal(set) var value: Value?
}

/// One metric series logged with `log(name, value)`, values exactly as given.
public struct MetricSeries {
    public let name: String
    public internal(set) var values: [Double]
}

public final class Session: InterpreterHost {
    public let options: SessionOptions
    public let registry: BuiltinRegistry
    public var interrupt: InterruptFlag { options.interrupt }
    public private(set) var results: [CellResult] = []
    public private(set) var metrics: [MetricSeries] = []
    public internal(set) var randomKeys: RandomKeys
    private var cellValues: [[(String, Value)]] = []
    private var interpreter: Interpreter!
    /// What the running cell has printed so far.
    private var currentOutput = ""
    /// Set by an interrupted `train` during the cell now running: the cell ends
    /// interrupted with this message; `requestedByTraining`: the stop was a
    /// replay's (the flag was raised to stop the cell's later statements).
    var trainingInterruption: (message: String, span: SourceSpan, requestedByTraining: Bool)?
    /// The files written so far (resolved notebook path → where it went,
    /// mapped when confined), so the notebook reads back what it wrote and
    /// such a read is not taken for an input.
    var writtenFiles: [String: String] = [:]
    /// Each file read is hashed once (see `CallContext.fileRead`).
    lazy var fileHashes: FileHashCache = options.fileHashes ?? FileHashCache()

    public init(options: SessionOptions = SessionOptions(), registry: BuiltinRegistry = BuiltinCatalog.registry()) {
        self.options = options
        self.registry = registry
        self.randomKeys = RandomKeys(rootSeed: options.seed)
        self.interpreter = Interpreter(host: self, registry: registry)
        interpreter.stepLimit = options.stepLimit
    }

    // MARK: public state

    /// The global variables in the order they were first bound.
    public var globals: [(name: String, value: Value)] {
        interpreter.globals.order.compactMap { n in interpreter.globals.lookup(n).map { (n, $0.value) } }
    }

    public func value(named name: String) -> Value? { interpreter.globals.lookup(name)?.value }

    /// The values of the names cell `index` bound, as they were when it finished.
    public func values(boundBy index: Int) -> [(name: String, value: Value)] {
        index < cellValues.count ? cellValues[index] : []
    }

    public var rootSeed: UInt64 { randomKeys.rootSeed }

    // MARK: checking

    /// Every static error of the notebook (syntax, names, arguments, `--set`),
    /// without running anything.
    public func check(_ notebook: NotebookDocument) -> [Diagnostic] {
        var diagnostics = notebook.syntaxErrors
        let (overrideValues, overrideErrors) = parseOverrides(for: notebook)
        diagnostics += overrideErrors
        let checker = Checker(registry: registry, interactive: options.interactive, globals: staticGlobals())
        checker.notebookGlobals = Set(notebook.cells.flatMap { $0.statements.compactMap(Session.declaredName) })
        checker.overrideTypes = overrideValues.mapValues { StaticType(of: $0) }
        for cell in notebook.cells { checker.check(cell.statements) }
        diagnostics += checker.diagnostics.sorted { a, b in
            (a.span?.start ?? SourceLocation(line: 0, column: 0)) < (b.span?.start ?? SourceLocation(line: 0, column: 0))
        }
        if diagnostics.isEmpty { interpreter.overrides = overrideValues }
        return diagnostics
    }

    private static func declaredName(_ s: Stmt) -> String? {
        switch s.kind {
        case .declaration(let name, _, _): return name
        case .function(let d): return d.name
        default: return nil
        }
    }

    private func staticGlobals() -> [(String, StaticBinding)] {
        interpreter.globals.order.compactMap { n in
            interpreter.globals.lookup(n).map { (n, StaticBinding(type: StaticType(of: $0.value), constant: $0.constant, span: $0.span)) }
        }
    }

    /// Parses `--set` values and matches them to top-level `let`s.
    private func parseOverrides(for notebook: NotebookDocument) -> ([String: Value], [Diagnostic]) {
        var values: [String: Value] = [:]
        var errors: [Diagnostic] = []
        var lets: [String] = [], vars: [String] = []
        for cell in notebook.cells {
            for s in cell.statements {
                if case let .declaration(name, _, constant) = s.kind { constant ? lets.append(name) : vars.append(name) }
            }
        }
        for (key, text) in options.overrides {
            if !lets.contains(key) {
                let why = vars.contains(key) ? "'\(key)' is declared with 'var'; --set overrides only top-level 'let' constants"
                    : "--set \(key)=\(text): the notebook has no top-level 'let \(key)'"
                errors.append(Diagnostic(.override, why, at: nil,
                                         suggestion: vars.contains(key) ? nil : EditDistance.suggestion(for: key, among: lets)))
                continue
            }
            do { values[key] = try Session.literal(text) } catch let d as Diagnostic {
                errors.append(Diagnostic(.override, "--set \(key)=\(text): \(d.message)", at: nil))
            } catch {}
        }
        return (values, errors)
    }

    /// A `--set` value: a Kymo literal; a bare word that is not one is a string.
    static func literal(_ text: String) throws -> Value {
        let file = SourceFile(name: "--set", text: text)
        var scanner = Scanner(file: file)
        let tokens = scanner.scanAll()
        var parser = Parser(tokens: tokens)
        if scanner.diagnostics.isEmpty, let e = parser.parseLoneExpression(), parser.diagnostics.isEmpty,
           let v = Checker.constant(e) {
            return v
        }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if !trimmed.isEmpty, trimmed.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-./".unicodeScalars.contains($0) }),
           !(trimmed.first?.isNumber ?? false) {
            return .string(trimmed)
        }
        throw Diagnostic(.override, "not a literal value (use a number, a quoted string, true/false, nil, or a list or record of them)", at: nil)
    }

    // MARK: running

    /// Checks the notebook, then runs its cells in order; a failing cell
    /// stops the run and the rest are reported as skipped. Static errors
    /// return no results (see `check`).
    @discardableResult
    public func run(_ notebook: NotebookDocument, onCellStart: ((Cell) -> Void)? = nil,
                    onCellEnd: ((CellResult) -> Void)? = nil) -> (results: [CellResult], diagnostics: [Diagnostic]) {
        let diagnostics = check(notebook)
        guard diagnostics.isEmpty else { return ([], diagnostics) }
        var out: [CellResult] = []
        var stopped = false
        for cell in notebook.cells {
            if stopped {
                var r = CellResult(index: results.count, title: cell.title, source: cell.source)
                r.status = .skipped
                results.append(r)
                cellValues.append([])
                out.append(r)
                onCellEnd?(r)
                continue
            }
            onCellStart?(cell)
            let r = run(cell, in: notebook.file)
            out.append(r)
            onCellEnd?(r)
            if r.status != .complete { stopped = true }
        }
        return (out, [])
    }

    /// Runs one already-checked cell.
    public func run(_ cell: Cell, in file: SourceFile) -> CellResult {
        execute(cell.statements, title: cell.title, source: cell.source)
    }

    /// A REPL input: parse, check against the current variables, run.
    /// `file` and `firstLine`: a text that holds the input from that line on
    /// (a kernel passes its record's notebook, so positions are the replay's).
    public func evaluate(input text: String, file: SourceFile? = nil, firstLine: Int = 1) -> CellResult {
        let file = file ?? SourceFile(name: "repl", text: text)
        let parsed = NotebookDocument.parse(file: file, text: text, firstLine: firstLine)
        var diagnostics = parsed.diagnostics
        if diagnostics.isEmpty {
            let checker = Checker(registry: registry, interactive: true, globals: staticGlobals())
            checker.notebookGlobals = Set(parsed.statements.compactMap(Session.declaredName))
            checker.check(parsed.statements)
            diagnostics = checker.diagnostics.sorted { a, b in
                (a.span?.start ?? SourceLocation(line: 0, column: 0)) < (b.span?.start ?? SourceLocation(line: 0, column: 0))
            }
        }
        guard diagnostics.isEmpty else {
            var r = CellResult(index: results.count, title: nil, source: text)
            r.status = .failed
            r.diagnostics = diagnostics
            return r
        }
        return execute(parsed.statements, title: nil, source: text)
    }

    private func execute(_ statements: [Stmt], title: String?, source: String) -> CellResult {
        var r = CellResult(index: results.count, title: title, source: source)
        trainingInterruption = nil
        currentOutput = ""
        interpreter.globals.resetTouched()
        let start = DispatchTime.now().uptimeNanoseconds
        do {
            r.value = try interpreter.run(statements)
        } catch let d as Diagnostic {
            r.status = d.kind == .interrupted ? .interrupted : .failed
            r.diagnostics = [d]
        } catch {
            r.status = .failed
            r.diagnostics = [Diagnostic(.runtime, "\(error)", at: nil)]
        }
        if let stop = trainingInterruption {
            // An interrupted `train` bound what it produced; the cell still ends interrupted, at its step.
            r.status = .interrupted
            r.diagnostics = [Diagnostic(.interrupted, stop.message, at: stop.span)]
            if stop.requestedByTraining { interrupt.clear() }
            trainingInterruption = nil
        }
        r.duration = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        r.output = currentOutput
        r.boundNames = interpreter.globals.touched
        results.append(r)
        cellValues.append(r.boundNames.compactMap { n in interpreter.globals.lookup(n).map { (n, $0.value) } })
        return r
    }

    // MARK: for built-ins

    // MARK: InterpreterHost

    public var isInterruptRequested: Bool { interrupt.isRequested }
    public var maxElements: Int { options.maxTensorElements }
    public func write(_ text: String) { emit(text) }

    func emit(_ text: String) {
        currentOutput += text
        options.output.write(text)
    }

    func appendMetric(_ name: String, _ value: Double) {
        if let i = metrics.firstIndex(where: { $0.name == name }) {
            metrics[i].values.append(value)
        } else {
            metrics.append(MetricSeries(name: name, values: [value]))
        }
    }

}
