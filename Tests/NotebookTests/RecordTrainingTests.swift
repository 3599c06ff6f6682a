// Training under a run record with the real Trainer: checkpoints land in
// runs/<id>/checkpoints and in the record with the loss so far; a run
// interrupted mid-training resumes from its checkpoint (and a finished
// training call restores from its last one) to the record of an
// uninterrupted run, bit for bit. The `train`, `convlstm` and `moving_mnist`
// built-ins here are small test bindings over Models (fast, and with a stop
// after N steps), calling `RecordedTraining.train` as the real `train` does.
import Foundation
import XCTest
import Records
import TestSupport
import TensorEngine
import Models
@testable import KymoLanguage
@testable import Notebook

final class RecordTrainingTests: XCTestCase {
    final class ModelBox: HostObject {
        let model: Model
        init(_ m: Model) { model = m }
        var kindName: String { "model" }
        func property(_ name: String) throws -> Value? {
            name == "parameters" ? .record(Record(model.namedParameters.map { ($0.name, .host(TensorValue($0.tensor))) })) : nil
        }
        func describe(indent: Int) -> String { "model" }
    }

    final class DataBox: HostObject {
        let source: BatchSource
        init(_ s: BatchSource) { source = s }
        var kindName: String { "dataset" }
        func describe(indent: Int) -> String { "dataset of \(source.count)" }
    }

    final class HistoryBox: HostObject {
        let history: TrainingHistory
        init(_ h: TrainingHistory) { history = h }
        var kindName: String { "history" }
        func property(_ name: String) throws -> Value? {
            switch name {
            case "steps": return .list(history.steps.map { .int($0) })
            case "loss": return .list(history.loss.map { .float(Double($0)) })
            case "validation": return .list(history.validationLoss.map { .float(Double($0)) })
            default: return nil
            }
        }
        func describe(indent: Int) -> String { "history of \(history.steps.count) steps, \(history.seconds) s" }
    }

    /// Bindings over Models; `train` stops (as Ctrl-C would) once `stopAfter` steps are done, if set.
    func registry(stopAfter: Int?) -> BuiltinRegistry {
        let r = BuiltinCatalog.registry()
        let cfg = ModelConfig(family: .convlstm, mode: .predictor, layers: 1, hidden: 4, kernel: 3, size: 8, channels: 1, patch: 2,
                              framesIn: 3, framesOut: 3, activation: .tanh)
        r.bind("convlstm") { _, context in
            let s = context.randomStream("model")
            return .host(ModelBox(try Model(config: cfg, stream: s.split("init"))))
        }
        r.bind("moving_mnist") { _, context in
            var s = context.randomStream("data")
            let t = Tensor(zeros: [6, 6, 1, 8, 8])
            t.withMutableData { p in for i in 0..<p.count { p[i] = Float(s.nextInt(below: 1000)) / 1000 } }
            return .record(Record([("train", .host(DataBox(try BatchSource(sequences: t))))]))
        }
        r.bind("train") { args, context in
            guard case .host(let m as ModelBox) = args["model"], case .host(let d as DataBox) = args["ds"] else {
                throw BuiltinError("train: test binding needs a model and a dataset")
            }
            let options = TrainingOptions(steps: try args.int("steps"), batchSize: try args.int("batch"), learningRate: 1e-2, seed: 5)
            var done = 0
            let job = TrainingJob(model: m.model, train: d.source, validation: nil, group: SingleProcess())
            let h = try RecordedTraining.train(hooks: context.recordHooks, job: job, options: options, progress: { p in done = p.step }, shouldStop: {
                if let stopAfter, done >= stopAfter { context.session.interrupt.request() }
                return context.isInterrupted
            })
            return .host(HistoryBox(h))
        }
        return r
    }

    static let notebook = """
    %% Data
    let data = moving_mnist(train: 6, test: 0, frames: 6, size: 8)
    let m = convlstm(layers: 1)
    let warm = train(m, data.train, steps: 5, batch: 2, lr: 0.01)
    print("warm", warm.loss[4])

    %% Train
    let h = train(m, data.train, steps: 23, batch: 2, lr: 0.01)
    print("last", h.loss[22])
    """

    func run(runs: String, stopAfter: Int?) throws -> RecordedRunResult {
        var o = RecordedRunOptions(notebookPath: "t.kymo", text: Self.notebook, workingDirectory: NSTemporaryDirectory(), host: .fixture)
        o.runsFolder = runs
        o.host.registry = registry(stopAfter: stopAfter)
        return try RecordRunner.run(o)
    }

    func testInterruptedTrainingResumesFromItsCheckpointToTheUninterruptedRecord() throws {
        let runs = RecordFixtures.scratch() + "/runs"
        let whole = try run(runs: runs, stopAfter: nil)
        XCTAssertNil(whole.recordError)
        let a = try RunStore.read(recordAt: whole.runFolder! + "/record.json")
        XCTAssertEqual(a.status, .complete, a.cells.compactMap(\.error).joined())
        XCTAssertEqual(a.metrics.map(\.name), ["train1.loss", "train2.loss"])
        XCTAssertEqual(a.series(named: "train2.loss")?.steps, Array(1...23))
        XCTAssertEqual(a.checkpoints.map(\.site), ["train1", "train2"])
        XCTAssertEqual(a.checkpoints.map(\.step), [5, 23], "a finished call keeps a checkpoint at its last step")
        XCTAssertTrue(FileManager.default.fileExists(atPath: whole.runFolder! + "/checkpoints/train2.ckpt"))

        // Stopped after 8 of 23 steps of the Train cell: checkpoint every 3 steps, a last one at the stop.
        let stopped = try run(runs: runs, stopAfter: 8)
        let b0 = try RunStore.read(recordAt: stopped.runFolder! + "/record.json")
        XCTAssertEqual(b0.status, .interrupted)
        XCTAssertEqual(b0.cells.map(\.status), [.complete, .interrupted])
        XCTAssertEqual(b0.checkpoints.first { $0.site == "train2" }?.step, 8)
        XCTAssertEqual(b0.series(named: "train2.loss")?.values.bits, Array(a.series(named: "train2.loss")!.values.bits.prefix(8)))

        // Resume: the Data cell's call restores from its checkpoint, the Train cell's continues at step 8.
        var trainedSteps: [Int] = []
        var host = RunHost.fixture
        host.registry = registry(stopAfter: nil)
        let resumed = try Replayer.resume(folder: stopped.runFolder!, host: host, onCellEnd: { r in trainedSteps.append(r.index) })
        XCTAssertNil(resumed.recordError)
        let b = try RunStore.read(recordAt: stopped.runFolder! + "/record.json")
        XCTAssertEqual(b.status, .complete)
        XCTAssertEqual(b.resumes.map(\.step), [8])
        XCTAssertEqual(b.metrics, a.metrics, "loss series bit for bit")
        XCTAssertEqual(b.cells.map(\.output), a.cells.map(\.output))
        XCTAssertEqual(b.cells.map(\.valuesSHA256), a.cells.map(\.valuesSHA256), "weights, histories: the same bits")
        // The final checkpoints hold the same weights, optimizer state and history, bit for bit
        // (their metadata differ only in the seconds spent).
        let ckA = try Safetensors.read(path: whole.runFolder! + "/checkpoints/train2.ckpt")
        let ckB = try Safetensors.read(path: stopped.runFolder! + "/checkpoints/train2.ckpt")
        XCTAssertEqual(ckA.tensors.map(\.name), ckB.tensors.map(\.name))
        XCTAssertTrue(ckA.tensors.map(\.name).contains { $0.hasPrefix("model.") })
        for (x, y) in zip(ckA.tensors, ckB.tensors) {
            XCTAssertEqual(x.tensor.toArray().map(\.bitPattern), y.tensor.toArray().map(\.bitPattern), x.name)
        }
        XCTAssertEqual(ckA.metadata["step"], "23")
    }
}
