// HostValues: models, datasets, training histories and figures as Kymo host
// values — their properties (`model.parameters`, `ds.count`, `hist.loss`),
// indexing (`ds[i]`) and how they print. Tensors live in TensorValue.swift.

import KymoLanguage
import Foundation
import TensorEngine
import Models
import Datasets
import Figures

public final class ModelValue: HostObject {
    public let model: Model
    public init(_ model: Model) { self.model = model }

    public var kindName: String { "model" }
    public var propertyNames: [String] { BuiltinCatalog.hostKinds["model"]!.propertyNames }

    public func property(_ name: String) throws -> Value? {
        switch name {
        case "parameters":
            return .record(Record(model.namedParameters.map { ($0.name, .host(TensorValue($0.tensor))) }))
        case "count": return .int(model.parameterCount)
        case "family": return .string(model.family.displayName)
        case "config":
            return .record(Record(model.config.entries.map { e in
                (e.key, e.key == "upstream_doubling" ? .bool(e.value == "true") : Int(e.value).map { Value.int($0) } ?? .string(e.value))
            }))
        default: return nil
        }
    }

    public func describe(indent: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        return "model \(model.family.displayName) (\(model.mode.rawValue)), \(model.parameterCount) parameters\n"
            + pad + "  " + model.config.summary
    }
}

public final class DatasetValue: HostObject {
    public let dataset: Dataset
    /// File name → `name sha256:1a2b3c4d`: how the printed description names
    /// the files it came from (never by folder, which is machine-local).
    public let fileLabels: [(name: String, label: String)]
    /// The SHA-256 of the file a file-backed dataset holds (its digest's content).
    public let contentSHA256: String?
    public init(_ dataset: Dataset, fileLabels: [(name: String, label: String)] = [], contentSHA256: String? = nil) {
        self.dataset = dataset
        self.fileLabels = fileLabels
        self.contentSHA256 = contentSHA256
    }

    public var kindName: String { "dataset" }
    public var propertyNames: [String] { BuiltinCatalog.hostKinds["dataset"]!.propertyNames }

    public func property(_ name: String) throws -> Value? {
        switch name {
        case "count": return .int(dataset.count)
        case "frames": return .int(dataset.frames)
        case "size": return .int(dataset.height)
        case "channels": return .int(dataset.channels)
        case "height": return .int(dataset.height)
        case "width": return .int(dataset.width)
        default: return nil
        }
    }

    public func element(at index: Value) throws -> Value {
        guard case .int(let i) = index else { throw BuiltinError("dataset index must be an int, got \(index.typeName)", kind: .type) }
        let j = i < 0 ? dataset.count + i : i
        guard j >= 0, j < dataset.count else {
            throw BuiltinError("index \(i) is out of range for a dataset of \(dataset.count) sequences", kind: .range)
        }
        return .host(TensorValue(try TensorBuiltins.engine { try dataset.sequence(j) }))
    }

    public var source: BatchSource {
        let d = dataset
        return BatchSource(count: d.count) { try d.batch(indices: $0) }
    }

    public func describe(indent: Int) -> String {
        var text = dataset.description
        for (name, label) in fileLabels { text = text.replacingOccurrences(of: name, with: label) }
        return "dataset of \(dataset.count) sequences \(describeShape(dataset.sequenceShape)): \(text)"
    }
}

public final class HistoryValue: HostObject {
    public let history: TrainingHistory
    public let label: String
    /// Which loss the history holds, for a figure's axis ("MSE, mean over pixels"); nil when unknown.
    public let lossName: String?
    public init(_ history: TrainingHistory, label: String, lossName: String? = nil) {
        self.history = history; self.label = label; self.lossName = lossName
    }

    public var kindName: String { "history" }
    public var propertyNames: [String] { BuiltinCatalog.hostKinds["history"]!.propertyNames }

    public func property(_ name: String) throws -> Value? {
        switch name {
        case "steps": return .list(history.steps.map { .int($0) })
        case "loss": return .list(history.loss.map { .float(Double($0)) })
        case "validation":
            return .record(Record([("steps", .list(history.validationSteps.map { .int($0) })),
                                   ("loss", .list(history.validationLoss.map { .float(Double($0)) }))]))
        case "status": return .string(history.status.rawValue)
        case "seconds": return .float(history.seconds)
        case "lr": return .list(history.lr.map { .float($0) })
        case "grad_norm": return .list(history.gradNorm.map { .float(Double($0)) })
        case "best_step": return history.bestStep.map { .int($0) } ?? .null
        default: return nil
        }
    }

    public func describe(indent: Int) -> String {
        let last = history.loss.last.map { String(format: "%.5g", Double($0)) } ?? "-"
        var s = "history of \(label): \(history.steps.count) steps, last loss \(last)"
        if let v = history.validationLoss.last { s += String(format: ", last validation loss %.5g", Double(v)) }
        if history.status != .complete { s += " (\(history.status.rawValue)\(history.message.map { ": " + $0 } ?? ""))" }
        return s
    }
}

/// Writes a figure to a file (the format by the path's extension).
public typealias FigureWriter = @Sendable (Figure, String) throws -> Void

/// Where `fig.show()` puts a figure: the Jupyter kernel's output; nil elsewhere (nothing shown).
public protocol FigureDisplay: AnyObject {
    func show(_ figure: Figure, what: String)
}

public final class FigureValue: HostObject {
    public let figure: Figure
    public let what: String
    public init(_ figure: Figure, what: String) { self.figure = figure; self.what = what }

    public var kindName: String { "figure" }

    public var methods: [Builtin] {
        let signatures = BuiltinCatalog.hostKinds["figure"]!.methods
        return signatures.map { sig in
            if sig.name == "show" {
                return Builtin(sig) { [figure, what] _, context in
                    context.session.options.figureDisplay?.show(figure, what: what)
                    return .null
                }
            }
            return Builtin(sig) { [figure, what] args, context in
                let path = try args.string("path")
                if path.lowercased().hasSuffix(".csv") { return try FigureBuiltins.saveCSV(figure, path: path, context) }
                guard let writer = context.session.options.figureWriter else {
                    throw BuiltinError("figures can be saved only by the kymo host (its Cairo renderer)", kind: .unavailable)
                }
                let file = try context.outputPath(path)
                var fig = figure
                fig.metadata.date = context.session.options.figureDate
                fig.metadata.subject = what
                do { try writer(fig, file) } catch { throw BuiltinError("\(error)") }
                try context.fileWritten(path: path, file: file)
                return .null
            }
        }
    }

    public func describe(indent: Int) -> String { "figure (\(what))" }
}
