// SequenceBuiltins: load_sequences, split and normalize — the user's own
// data. Every file read is
// an input of the run (SHA-256, so a replay with a changed file names it), and
// the protocol that decides the numbers — file, variable, layout, windows —
// is printed as one line, and so kept in the cell's recorded output.
import KymoLanguage
import Foundation
import TensorEngine
import Datasets
import Records
import Models

enum SequenceBuiltins {
    static func loadSequences(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let name = try args.string("path")
        let path = try context.resolvePath(name)
        let variable = args["variable"].isNil ? nil : try args.string("variable")
        let frames = args["frames"].isNil ? nil : try args.int("frames")
        let stride = args["stride"].isNil ? nil : try args.int("stride")
        let layout = try args.string("layout")
        var shas: [String] = []
        let label = (name as NSString).lastPathComponent
        // A confined replay has no folder, only the recorded frames, each where the replay found it.
        let prefix = context.absolute(name) + "/"
        let recordedFrames = FileManager.default.fileExists(atPath: path) ? [] : context.session.options.paths.redirects
            .filter { $0.key.hasPrefix(prefix) && !$0.key.dropFirst(prefix.count).contains("/") }
            .sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
        let (dataset, source) = try ModelBuiltins.call {
            try SequenceFiles.load(path: path, layout: layout, variable: variable, frames: frames, stride: stride, label: label,
                                   pngFrames: recordedFrames.isEmpty ? nil : recordedFrames.map(\.value))
        }
        // The files it reads: the file, or every frame of a PNG folder.
        if let frames = source.reader as? PNGFrames {
            for (k, f) in frames.files.enumerated() {
                let frame = recordedFrames.isEmpty ? f : recordedFrames[k].key
                let inside = (name as NSString).appendingPathComponent((frame as NSString).lastPathComponent)
                shas.append(try context.fileRead(name: inside, file: f, kind: "sequences", hash: true) ?? "")
            }
        } else {
            shas.append(try context.fileRead(name: name, file: path, kind: "sequences", hash: true) ?? "")
        }
        let sha = shas.count == 1 ? shas[0] : SequenceBuiltins.combined(shas)
        let value = DatasetValue(dataset, fileLabels: [(label, label + " sha256:" + String(sha.prefix(8)))], contentSHA256: sha)
        context.write("load_sequences: \(dataset.count) sequences \(describeShape(dataset.sequenceShape)) from \(source.summary)"
                      + (variable.map { ", variable \"\($0)\"" } ?? "") + "\n")
        return .host(value)
    }

    /// split(ds, train:, validation:, test:): a record of the parts named.
    static func split(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let data = try args.host("ds", as: DatasetValue.self)
        var amounts: [(name: String, amount: DataSplit.Amount)] = []
        for key in DataSplit.order where args.isGiven(key) {
            switch args[key] {
            case .int(let n): amounts.append((key, .count(n)))
            case .float(let f): amounts.append((key, .fraction(f)))
            default: throw BuiltinError("\(key) must be a fraction (0.8) or a count (80), got \(args[key].typeName)", kind: .type)
            }
        }
        let parts = try ModelBuiltins.call { try DataSplit.split(data.dataset, amounts: amounts) }
        let line = parts.map { p in
            "\(p.part.name) \(p.part.indices.count) (\(p.part.block.lowerBound)..<\(p.part.block.upperBound)"
                + (p.part.dropped > 0 ? ", \(p.part.dropped) straddling dropped" : "") + ")"
        }.joined(separator: ", ")
        context.write("split of \(data.dataset.count) sequences in order: \(line)\n")
        return .record(Record(parts.map { p in
            (p.part.name, .host(DatasetValue(p.dataset, fileLabels: data.fileLabels, contentSHA256: data.contentSHA256)))
        }))
    }

    /// normalize(data, method:, fit:): a record of parts is normalized with
    /// statistics fitted on its `train` part; a dataset with those of `fit`
    /// (default: itself). Prints the statistics (kept in the record).
    static func normalize(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        guard let kind = Normalization.Kind(rawValue: try args.string("method")) else {
            throw BuiltinError("method must be \"standard\" or \"minmax\", got \"\(try args.string("method"))\"", kind: .range)
        }
        func apply(_ d: DatasetValue, _ n: Normalization) throws -> Value {
            let source = try ModelBuiltins.call { try NormalizedSequences(d.dataset.source, n) }
            return .host(DatasetValue(Dataset(source), fileLabels: d.fileLabels, contentSHA256: d.contentSHA256))
        }
        func fitted(_ d: DatasetValue, _ what: String) throws -> Normalization {
            let n = try ModelBuiltins.call { try Normalization.fit(d.dataset, kind: kind) }
            context.write("normalize: \(n.summary) on \(what) (\(d.dataset.count) sequences)\n")
            return n
        }
        switch args["data"] {
        case .record(let r):
            guard case .host(let t as DatasetValue)? = r["train"] else {
                throw BuiltinError("normalize fits on the record's train part; this record has no train dataset (keys: \(r.pairs.map(\.0).joined(separator: ", ")))", kind: .argument)
            }
            guard args["fit"].isNil else { throw BuiltinError("'fit' is for a single dataset; a record is fitted on its train part", kind: .argument) }
            let n = try fitted(t, "the train part")
            return .record(Record(try r.pairs.map { k, v in
                guard case .host(let d as DatasetValue) = v else { throw BuiltinError("normalize: '\(k)' is a \(v.typeName), not a dataset", kind: .type) }
                return (k, try apply(d, n))
            }))
        case .host(let d as DatasetValue):
            let on = args["fit"].isNil ? d : try args.host("fit", as: DatasetValue.self)
            return try apply(d, try fitted(on, args["fit"].isNil ? "the dataset itself" : "the fit dataset"))
        default:
            throw BuiltinError("normalize takes a dataset or a record of datasets (from split), got \(args["data"].typeName)", kind: .type)
        }
    }

    /// How evaluate compares: for a normalized dataset, predictions and truth
    /// back in data units and SSIM/PSNR over the range the training part spans
    /// (largest channel max − min), unless data_range says otherwise.
    struct EvaluationUnits {
        var invert: ((Tensor) throws -> Tensor)?
        var dataRange: Double
        var thresholds: [Double]
        var normalized: Bool
    }

    static func evaluationUnits(_ args: BoundArguments, _ data: DatasetValue) throws -> EvaluationUnits {
        let norm = (data.dataset.source as? NormalizedSequences)?.normalization
        var thresholds: [Double] = []
        if case .list(let xs) = args["thresholds"] {
            thresholds = try xs.map { v in
                switch v {
                case .int(let i): return Double(i)
                case .float(let f) where f.isFinite: return f
                default: throw BuiltinError("thresholds must be a list of numbers, got a \(v.typeName) in it", kind: .type)
                }
            }
            guard !thresholds.isEmpty else { throw BuiltinError("thresholds is empty; give at least one", kind: .range) }
        }
        let range = args["data_range"].isNil ? (norm?.dataRange ?? 1) : try args.double("data_range")
        return EvaluationUnits(invert: norm.map { n in { try n.invert($0) } }, dataRange: range, thresholds: thresholds, normalized: norm != nil)
    }

    /// evaluate's keys beyond the pixel metrics: rmse and data_range whenever
    /// the data has units (normalized, or a data_range given), and CSI/POD/FAR
    /// per threshold.
    static func evaluationExtras(_ r: MetricReport, units: EvaluationUnits, dataset: Dataset) -> [(String, Value)] {
        var out: [(String, Value)] = []
        if units.normalized || units.dataRange != 1 {
            let pixels = Double(dataset.channels * dataset.height * dataset.width)
            out += [("rmse", .float((r.mse / pixels).squareRoot())), ("data_range", .float(units.dataRange))]
        }
        if !r.contingency.isEmpty {
            func list(_ f: (Contingency) -> Double) -> Value { .list(r.contingency.map { .float(f($0)) }) }
            out += [("thresholds", list(\.threshold)), ("csi", list(\.csi)), ("pod", list(\.pod)), ("far", list(\.far)),
                    ("hits", list(\.hits)), ("misses", list(\.misses)), ("false_alarms", list(\.falseAlarms))]
        }
        return out
    }

    /// predict(model, ds): frames_out predicted frames per sequence (from its
    /// first frames_in), as a dataset; in data units when ds is normalized.
    static func predictDataset(_ m: Model, _ data: DatasetValue, _ context: CallContext) throws -> Value {
        let d = data.dataset, c = m.config
        guard d.channels == c.channels, d.height == c.height, d.width == c.width, d.frames >= c.framesIn else {
            throw BuiltinError("predict: the dataset's sequences \(describeShape(d.sequenceShape)) do not fit the model, which takes [≥ \(c.framesIn), \(c.channels), \(c.height), \(c.width)]", kind: .argument)
        }
        let norm = (d.source as? NormalizedSequences)?.normalization
        let per = c.framesOut * c.channels * c.height * c.width
        try MemoryCharges.tensor(MemoryCharges.bytes(per, d.count), "predict: \(d.count) sequences of \(c.framesOut) predicted frames")
        let out = Tensor(uninitialized: [d.count, c.framesOut, c.channels, c.height, c.width])
        let progress = context.progress("predict \(m.family.displayName)", total: d.count)
        let batch = 8
        var start = 0
        while start < d.count {
            if context.isInterrupted { throw BuiltinError("interrupted", kind: .interrupted) }
            let idx = Array(start..<min(start + batch, d.count))
            var y = try ModelBuiltins.call { try withNoGrad { try m.predict(try d.batch(indices: idx)) } }
            if let norm { y = try ModelBuiltins.call { try norm.invert(y) } }
            out.withMutableData { o in
                y.withContiguousData { (o.baseAddress! + start * per).update(from: $0.baseAddress!, count: idx.count * per) }
            }
            start += idx.count
            progress.advance(to: start)
        }
        progress.end()
        let source = try ModelBuiltins.call {
            try TensorSequences(out, summary: "\(m.family.displayName) predictions of \(c.framesOut) frames" + (norm != nil ? " (data units)" : "") + " for")
        }
        return .host(DatasetValue(Dataset(source)))
    }

    /// save_sequences(path, ds, layout:, variable:): written atomically and
    /// recorded as an artifact (with its SHA-256) like every file a run writes.
    static func saveSequences(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let path = try args.string("path")
        let data = try args.host("ds", as: DatasetValue.self)
        let d = data.dataset
        try MemoryCharges.tensor(MemoryCharges.bytes(d.count, d.sequenceShape.reduce(1, *)), "save_sequences: \(d.count) sequences \(describeShape(d.sequenceShape))")
        let file = try context.outputPath(path)
        try ModelBuiltins.call {
            try SequenceWriter.write(data.dataset, to: file, layout: try args.string("layout"), variable: try args.string("variable"))
        }
        try context.fileWritten(path: path, file: file)
        return .null
    }

    /// Refuses a dataset whose frames are not the model's, naming both and the
    /// config keys that would fit (channels come from the data).
    static func checkFits(_ m: Model, _ d: Dataset, op: String) throws {
        let c = m.config
        guard d.channels != c.channels || d.height != c.height || d.width != c.width else { return }
        let keys = d.height == d.width ? "size: \(d.height)" : "height: \(d.height), width: \(d.width)"
        throw BuiltinError("\(op): the dataset's frames are \(d.channels)×\(d.height)×\(d.width) (channels × height × width) but the model's are \(c.channels)×\(c.height)×\(c.width); make the model with channels: \(d.channels), \(keys)", kind: .argument)
    }

    /// One digest over several files' SHA-256s (a PNG folder), in order.
    static func combined(_ shas: [String]) -> String {
        var h = RecordHasher()
        for s in shas { h.add(s) }
        return h.finalize()
    }
}
