// ModelBuiltins: the model, weights, training and evaluation built-ins of
// docs/language.md bound to the Models target — convlstm, sa_convlstm, sam_convlstm,
// save, load, train, forward, gradients, evaluate, predict, attention. Model
// initialization and training draw from this call site's random streams, so
// adding a cell elsewhere never changes them.

import KymoLanguage
import Foundation
import Records
import TensorEngine
import Models
import Datasets

enum ModelBuiltins {
    /// Runs a Models/engine call, turning its typed errors into Kymo errors.
    static func call<T>(_ body: () throws -> T) throws -> T {
        do { return try body() }
        catch let e as ModelError { throw BuiltinError(e.description) }
        catch let e as TensorError { throw BuiltinError(e.description) }
        catch is CancellationError { throw BuiltinError("interrupted", kind: .interrupted) }
    }

    static func model(_ args: BoundArguments, _ name: String = "model") throws -> Model {
        try args.host(name, as: ModelValue.self).model
    }

    static func tensor(_ args: BoundArguments, _ name: String) throws -> Tensor {
        try args.host(name, as: TensorValue.self).tensor
    }

    // MARK: models

    static func make(_ family: ModelFamily) -> BuiltinImplementation {
        { args, context in
            var cfg = ModelConfig(family: family)
            // the config record first, then named arguments override it
            if case .record(let r) = args["config"] {
                for (k, v) in r.pairs { try setKey(&cfg, k, v, family: family) }
            }
            for key in ModelConfig.keys where args.isGiven(key) {
                try setKey(&cfg, key, args[key], family: family)
            }
            let stream = context.randomStream("init/\(family.rawValue)")
            try call { try cfg.validate() }
            try MemoryCharges.model(cfg)   // before any weight is made
            return .host(ModelValue(try call { try Model(config: cfg, stream: stream) }))
        }
    }

    static func setKey(_ cfg: inout ModelConfig, _ key: String, _ v: Value, family: ModelFamily) throws {
        if key == "upstream_doubling" && family != .saConvlstm {
            throw BuiltinError("'upstream_doubling' is an SA-ConvLSTM option (the upstream SA cell's doubling); \(family.displayName) has no such cell", kind: .argument)
        }
        if key == "attention_hidden" && !family.hasAttention {
            throw BuiltinError("\(family.displayName) has no attention; 'attention_hidden' does not apply", kind: .argument)
        }
        guard ModelConfig.keys.contains(key) else {
            let near = EditDistance.suggestion(for: key, among: ModelConfig.keys)
            throw BuiltinError("unknown config key '\(key)'", kind: .argument, suggestion: near)
        }
        let any: Any
        switch v {
        case .int(let i): any = i
        case .float(let f): any = f
        case .string(let s): any = s
        case .bool(let b) where key == "upstream_doubling": any = b
        default: throw BuiltinError("config key '\(key)' must be a number or a string, got \(v.typeName)", kind: .type)
        }
        try call { try cfg.set(key, any) }
    }

    // MARK: weights

    static func save(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let m = try model(args), path = try args.string("path")
        try call { try Model.checkWeightsPath(path) }
        let file = try context.outputPath(path)
        try call { try m.save(to: file) }
        try context.fileWritten(path: path, file: file)
        return .null
    }

    /// load(model, path, strict:, prefix:): the checks of Models/WeightsLoad.swift;
    /// what was loaded, the activation assumed and every note are printed (and so
    /// kept in the cell's recorded output).
    static func load(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let m = try model(args), path = try args.string("path")
        let file = try context.inputFile(path, kind: "weights")
        let options = WeightsLoadOptions(strict: try args.bool("strict"),
                                         prefix: args["prefix"].isNil ? nil : try args.string("prefix"))
        let report = try call { try m.loadWeights(from: file, options: options) }
        context.write(report.text(path: path) + "\n")
        return .null
    }

    // MARK: training

    static func train(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let m = try model(args)
        let data = try args.host("ds", as: DatasetValue.self)
        let validation = args["validate"].isNil ? nil : try args.host("validate", as: DatasetValue.self)
        for d in [data] + (validation.map { [$0] } ?? []) { try SequenceBuiltins.checkFits(m, d.dataset, op: "train") }
        let steps = try args.int("steps")
        var options = TrainingOptions(steps: steps,
                                      optimizer: OptimizerKind(rawValue: try args.string("optimizer"))!,
                                      batchSize: try args.int("batch"),
                                      learningRate: try args.double("lr"),
                                      loss: LossKind(rawValue: try args.string("loss"))!,
                                      reduction: Reduction(rawValue: try args.string("reduction"))!,
                                      seed: context.randomStream("train").key)
        if validation != nil {
            options.validateEvery = args.isGiven("every") ? try args.int("every") : max(1, steps / 10)
            options.validationLimit = 64
        } else if args.isGiven("every") {
            throw BuiltinError("'every' needs a 'validate' dataset", kind: .argument)
        }
        switch args["sampling"] {
        case .null: break
        case .bool(let on): options.sampling = on ? nil : .off
        case .float(let p): options.sampling = .constant(p)
        case .int(let p): options.sampling = .constant(Double(p))
        case .string(let s):
            guard let schedule = SamplingSchedule(text: s) else {
                throw BuiltinError("sampling must be \"off\", \"constant P\" or \"linear FROM TO STEPS\", got \"\(s)\"", kind: .range)
            }
            options.sampling = schedule
        default: throw BuiltinError("sampling must be a bool, a probability or a schedule string, got \(args["sampling"].typeName)", kind: .type)
        }
        options.schedule = try schedule(args["schedule"])
        if args.isGiven("clip") { options.clipNorm = try args.double("clip") }
        options.weightDecay = try args.double("weight_decay")
        if args.isGiven("early_stop") {
            guard validation != nil else { throw BuiltinError("'early_stop' needs a 'validate' dataset (it watches the validation loss)", kind: .argument) }
            options.earlyStopPatience = try args.int("early_stop")
        }
        // A batch larger than the dataset runs (the sampler goes on into the next
        // epochs' permutations), but every step then repeats sequences: say so.
        if options.batchSize > data.dataset.count {
            context.write("note: batch \(options.batchSize) is larger than the dataset's \(data.dataset.count) sequences: " +
                          "each step repeats sequences (use batch ≤ \(data.dataset.count) or a larger dataset)\n")
        }
        try MemoryCharges.training(m.config, batch: options.batchSize)   // before the first step
        let progress = context.progress("train \(m.family.displayName)", total: steps)
        let trainSource = data.source, validationSource = validation?.source
        let history = try call {
            try RecordedTraining.train(
                hooks: context.recordHooks,
                job: TrainingJob(model: m, train: trainSource, validation: validationSource, group: context.session.options.processGroup),
                options: options,
                progress: { p in
                    // Resumed from a checkpoint: the first step reported is past 1.
                    if progress.done == 0 && p.step > 1 { progress.resumed(from: p.step - 1) }
                    var detail = String(format: "loss %.5f", Double(p.loss))
                    if let v = p.validationLoss { detail += String(format: ", validation %.5f", Double(v)) }
                    progress.advance(to: p.step, detail: detail)
                },
                shouldStop: { context.isInterrupted })
        }
        progress.end(detail: history.loss.last.map { String(format: "loss %.5f", Double($0)) } ?? "")
        switch history.status {
        case .complete, .earlyStopped: break
        case .interrupted:
            // The history so far is the call's value (bound by `let h = train(…)`), marked
            // interrupted; the cell ends interrupted at this step (Session), and a replay
            // stops the call at the same step (TrainingStops), so both print and bind the same.
            let at = history.steps.last ?? 0
            context.write("training stopped at step \(at) of \(steps) (interrupted); the model keeps that step's weights\n")
            var partial = history
            partial.message = "interrupted after step \(at) of \(steps)"
            let requested = !context.isInterrupted
            if requested { context.session.interrupt.request() }   // a replay's stop: the cell's later statements do not run
            context.session.trainingInterruption = ("interrupted during training at step \(at)", context.span, requested)
            return .host(HistoryValue(partial, label: m.family.displayName, lossName: options.lossName))
        default:
            throw BuiltinError(history.message ?? "training stopped: \(history.status.rawValue)")
        }
        return .host(HistoryValue(history, label: m.family.displayName, lossName: options.lossName))
    }

    /// train's `schedule:` — nil, a kind's name, or a record {kind: …, key: value}.
    static func schedule(_ v: Value) throws -> LRSchedule {
        let kinds = LRSchedule.Kind.allCases.map(\.rawValue)
        func fail(_ e: ModelError) -> BuiltinError {
            let detail = e.description.replacingOccurrences(of: "train: schedule: ", with: "")
            return BuiltinError("argument 'schedule' of train: \(detail)", kind: .range)
        }
        switch v {
        case .null: return .constant
        case .string(let s):
            guard LRSchedule.Kind(rawValue: s) != nil else {
                throw BuiltinError("argument 'schedule' of train must be one of \(kinds.map { "\"\($0)\"" }.joined(separator: ", ")), got \"\(s)\"",
                                   kind: .range, suggestion: EditDistance.suggestion(for: s, among: kinds))
            }
            do { return try LRSchedule(text: s) } catch let e as ModelError { throw fail(e) }
        case .record(let r):
            var fields: [(key: String, value: Any)] = []
            for (k, x) in r.pairs {
                switch x {
                case .int(let i): fields.append((k, i))
                case .float(let d): fields.append((k, d))
                case .string(let s): fields.append((k, s))
                case .bool(let b): fields.append((k, b))
                default: throw BuiltinError("argument 'schedule' of train: '\(k)' must be a number, a string or a bool, got \(x.typeName)", kind: .type)
                }
            }
            if case .string(let s)? = r["kind"], LRSchedule.Kind(rawValue: s) != nil {
                let allowed = LRSchedule.keys(LRSchedule.Kind(rawValue: s)!)
                for (k, _) in r.pairs where k != "kind" && !allowed.contains(k) {
                    throw BuiltinError("argument 'schedule' of train: unknown key '\(k)' for a \(s) schedule", kind: .argument,
                                       suggestion: EditDistance.suggestion(for: k, among: allowed))
                }
            }
            do { return try LRSchedule(fields: fields) } catch let e as ModelError { throw fail(e) }
        default:
            throw BuiltinError("argument 'schedule' of train must be a string or a record, got \(v.typeName)", kind: .type)
        }
    }

    // MARK: inference

    static func forward(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let m = try model(args), x = try tensor(args, "input")
        return .host(TensorValue(try call { try withNoGrad { try m.forward(x) } }))
    }

    static func gradients(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let m = try model(args)
        let grads = try call {
            try m.gradients(input: try tensor(args, "input"), target: try tensor(args, "target"),
                            loss: LossKind(rawValue: try args.string("loss"))!,
                            reduction: Reduction(rawValue: try args.string("reduction"))!)
        }
        return .record(Record(grads.gradients.map { ($0.name, .host(TensorValue($0.tensor))) }))
    }

    static func evaluate(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let m = try model(args)
        let data = try args.host("ds", as: DatasetValue.self)
        // data units, data range and thresholds (SequenceBuiltins): nil/1/[] for pixels in [0, 1]
        let units = try SequenceBuiltins.evaluationUnits(args, data)
        let progress = context.progress("evaluate \(m.family.displayName)", total: data.dataset.count)
        let report = try call {
            try withNoGrad {
                try m.evaluate(data.source, group: context.session.options.processGroup,
                               units: units.invert, dataRange: units.dataRange, thresholds: units.thresholds,
                               progress: { done, _ in progress.advance(to: done) }, shouldStop: { context.isInterrupted })
            }
        }
        progress.end()
        func list(_ xs: [Double]) -> Value { .list(xs.map { .float($0) }) }
        return .record(Record([
            ("mse", .float(report.mse)), ("mae", .float(report.mae)), ("ssim", .float(report.ssim)), ("psnr", .float(report.psnr)),
            ("mse_per_frame", list(report.mseCurve)), ("mae_per_frame", list(report.maeCurve)),
            ("ssim_per_frame", list(report.ssimCurve)), ("psnr_per_frame", list(report.psnrCurve)),
            ("sequences", .int(report.sequences)),
        ] + SequenceBuiltins.evaluationExtras(report, units: units, dataset: data.dataset)))
    }

    static func predict(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        if case .host(let d as DatasetValue) = args["seq"] { return try SequenceBuiltins.predictDataset(try model(args), d, context) }
        let m = try model(args), seq = try tensor(args, "seq")
        return .host(TensorValue(try call { try withNoGrad { try m.predict(seq) } }, predictedAfter: m.config.framesIn))
    }

    static func attention(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let m = try model(args), seq = try tensor(args, "seq")
        let q = try queryPixel(args)
        let maps = try call { try withNoGrad { try m.attentionMaps(sequence: seq, layer: try args.int("layer"), query: q) } }
        return .host(TensorValue(try call { try maps.pixelMaps() }))
    }

    static func queryPixel(_ args: BoundArguments) throws -> (y: Int, x: Int) {
        let q = try args.intList("query")
        guard q.count == 2 else { throw BuiltinError("query must be [y, x], got \(q.count) numbers", kind: .range) }
        return (q[0], q[1])
    }
}

extension CallContext {
    /// The record hooks of the run this call belongs to (nil when unrecorded).
    var recordHooks: RunRecordHooks? { session.options.recordHooks }

    /// The file a built-in writes for the notebook's `path`, with its folder
    /// created if missing (as `mkdir -p`); an impossible folder is an error.
    func outputPath(_ path: String) throws -> String {
        let file = try resolvePath(path, for: .write)
        let dir = (file as NSString).deletingLastPathComponent
        if !dir.isEmpty && !FileManager.default.fileExists(atPath: dir) {
            do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
            catch { throw BuiltinError("cannot create folder \(dir) for \(path): \(error.localizedDescription)") }
        }
        return file
    }

    /// Tells the run record that a built-in finished writing `file`.
    func fileWritten(path: String, file: String) throws {
        do { try recordHooks?.fileWritten(path: path, file: file) }
        catch { throw BuiltinError("\(error)") }
    }
}
