// MemoryBudgetTests: the memory budget in bytes (KymoBase's MemoryBudget,
// the language's MemoryCharges): tensors counted while they live, what a
// notebook asks for refused before it is made with a clean error at the
// expression, the session keeping its state, the default limit's rule, and
// the model footprint equal to the models' real parameter counts. The four
// notebooks of issue 23 under `ulimit -v` are MemoryEndToEndTests.

import XCTest
import KymoBase
import Models
import TensorEngine
import Datasets
import KymoLanguage
@testable import Notebook

final class MemoryBudgetTests: XCTestCase {
    private var saved = 0

    override func setUp() { saved = MemoryBudget.process.limit }
    override func tearDown() { MemoryBudget.process.limit = saved }

    private func session() -> (Session, BufferSink) {
        var options = SessionOptions()
        let sink = BufferSink()
        options.output = sink
        return (Session(options: options), sink)
    }

    func testAValueIsSixteenBytes() {
        XCTAssertEqual(MemoryLayout<Value>.stride, 16, "a list element")
    }

    func testTensorsAreCountedWhileTheyLive() {
        let before = MemoryBudget.process.inUse
        var t: Tensor? = Tensor(zeros: [1000, 1000])
        XCTAssertEqual(MemoryBudget.process.inUse - before, 4_000_000)
        XCTAssertEqual(t?.count, 1_000_000)
        t = nil
        XCTAssertEqual(MemoryBudget.process.inUse, before)
    }

    func testSizesParseAndTheDefaultRule() {
        XCTAssertEqual(MemoryBudget.parse("6G"), 6 << 30)
        XCTAssertEqual(MemoryBudget.parse("512M"), 512 << 20)
        XCTAssertEqual(MemoryBudget.parse("512MiB"), 512 << 20)
        XCTAssertEqual(MemoryBudget.parse("1.5g"), 3 << 29)
        XCTAssertEqual(MemoryBudget.parse("123456"), 123456)
        for bad in ["", "-1G", "0", "lots", "1e30", "G"] { XCTAssertNil(MemoryBudget.parse(bad), bad) }
        // 3/4 of min(physical, cgroup); 1/2 of ulimit -v when lower; at least 64 MiB.
        XCTAssertEqual(MemoryBudget.machineLimit(physical: 16 << 30, cgroup: nil, addressSpace: nil), 12 << 30)
        XCTAssertEqual(MemoryBudget.machineLimit(physical: 16 << 30, cgroup: 4 << 30, addressSpace: nil), 3 << 30)
        XCTAssertEqual(MemoryBudget.machineLimit(physical: 16 << 30, cgroup: nil, addressSpace: 8 << 30), 4 << 30)
        XCTAssertEqual(MemoryBudget.machineLimit(physical: 1 << 20, cgroup: nil, addressSpace: nil), 64 << 20)
        XCTAssertEqual(MemoryBudget.defaultLimit(environment: ["KYMO_MEMORY": "3G"]), 3 << 30)
    }

    /// Each line fails with a `.limit` error that names the budget, at its expression; the session keeps `keep`.
    private func assertRefused(_ line: String, mentions: String, file: StaticString = #filePath, lineNo: UInt = #line) {
        let (s, _) = session()
        _ = s.evaluate(input: "let keep = [1, 2, 3]")
        let r = s.evaluate(input: line)
        XCTAssertEqual(r.status, .failed, line, file: file, line: lineNo)
        let d = r.diagnostics.first
        XCTAssertEqual(d?.kind, .limit, "\(line): \(d?.message ?? "no error")", file: file, line: lineNo)
        XCTAssertTrue(d?.message.contains("over the memory budget of 64.0 MiB (67108864 bytes") == true, d?.message ?? "", file: file, line: lineNo)
        XCTAssertTrue(d?.message.contains(mentions) == true, d?.message ?? "", file: file, line: lineNo)
        let after = s.evaluate(input: "print(len(keep))")
        XCTAssertEqual(after.status, .complete, file: file, line: lineNo)
        XCTAssertEqual(after.output, "3\n", file: file, line: lineNo)
    }

    func testWhatANotebookAsksForIsRefusedPastTheBudget() {
        MemoryBudget.process.limit = 64 << 20
        assertRefused("var xs = [1.5]\nfor i in 0..<40 { xs = xs + xs }", mentions: "elements needs")   // where it stops depends on the tensors other tests left alive
        assertRefused("var t = zeros([4096, 8192])", mentions: "zeros: a tensor of 33554432 elements needs 128.0 MiB")
        assertRefused("var ts = []\nfor i in 0..<40 { ts.append(ones([1024, 1024]) * 2.0) }", mentions: "with ")
        assertRefused("let m = convlstm(layers: 4, hidden: 4096, kernel: 5, size: 64)", mentions: "a ConvLSTM of 11945857025 parameters needs")
    }

    func testTrainingIsCheckedBeforeItsFirstStep() throws {
        // 24 sequences of 20 frames at 64×64 (Moving MNIST's NPY layout [T, N, H, W]:
        // more sequences than frames, or load_moving_mnist refuses to guess).
        let path = NSTemporaryDirectory() + "kymo-budget-\(getpid()).npy"
        try NPY.write(uint8: [UInt8](repeating: 0, count: 20 * 24 * 64 * 64), shape: [20, 24, 64, 64], to: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        MemoryBudget.process.limit = 64 << 20
        // A 3.7 MB model fits; a step's activations at batch 4 (about 1 GB) do not.
        assertRefused("let m = convlstm(layers: 1, hidden: 64, kernel: 3, size: 64, patch: 1)\nlet d = load_moving_mnist(\"\(path)\")\ntrain(m, d, steps: 1, batch: 4)",
                      mentions: "training ConvLSTM (batch 4")
    }

    func testTheFootprintIsTheModelsParameterCount() throws {
        let configs: [ModelConfig] = [
            ModelConfig(family: .convlstm, layers: 2, hidden: 8, kernel: 3, size: 16, patch: 2),
            ModelConfig(family: .saConvlstm, layers: 2, hidden: 8, kernel: 3, size: 16, patch: 4, attentionHidden: 4),
            ModelConfig(family: .samConvlstm, layers: 3, hidden: 6, kernel: 5, size: 16, patch: 2, attentionHidden: 3),
            ModelConfig(family: .convlstm, mode: .seq2seq, layers: 2, hidden: 4, kernel: 3, size: 16, framesIn: 4, framesOut: 1),
            ModelConfig(family: .samConvlstm, mode: .seq2seq, layers: 1, hidden: 4, kernel: 3, size: 16, framesIn: 4, framesOut: 1, attentionHidden: 2),
        ]
        for c in configs {
            let m = try Model(config: c, seed: 1)
            XCTAssertEqual(c.footprint.parameters, m.parameterCount, "\(c)")
            XCTAssertEqual(c.footprint.parameterBytes, m.parameterCount * 4)
        }
        XCTAssertNil(ModelConfig(family: .convlstm, layers: 1 << 40, hidden: 1 << 20, kernel: 9, size: 64).footprint.parameters, "overflow is nil")
    }
}
