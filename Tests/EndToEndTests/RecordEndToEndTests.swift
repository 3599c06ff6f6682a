// End to end through the built `kymo` binary (KymoBinary finds it): `kymo run` records, `kymo replay` is identical
// with 1 and 2 threads, an edited literal is named at its cell, `kill -9`
// mid-run (in a loop, and mid-training after a checkpoint) leaves a valid
// `interrupted` record that `kymo resume` completes to the same metrics,
// values, saved weights and figures as an uninterrupted run (figures are
// byte-identical on replay too); `kymo runs` lists.
import Foundation
import XCTest
import Records
import TestSupport

final class RecordEndToEndTests: KymoTestCase {
    static let notebook = """
    %% Data
    seed(3)
    let a = randn([128, 128])
    let steps = 40

    %% Train
    var w = randn([128, 128]) * 0.1
    for step in 1..<steps + 1 {
      w = tanh(matmul(w, a) * 0.1 + w)
      log("loss", (w * w).mean().item())
    }
    print("final", w.sum().item())

    %% Report
    print("done", w.mean().item())
    """

    override func setUpWithError() throws {
        try super.setUpWithError()
        try Self.notebook.write(toFile: dir + "/nb.kymo", atomically: true, encoding: .utf8)
    }

    /// The first four columns of each line of a `kymo runs` table.
    func fields(_ table: String) -> [[String]] {
        table.split(separator: "\n").map { $0.split(separator: " ").prefix(4).map(String.init) }
    }

    func runIDs() -> [String] { RunStore(folder: dir + "/runs").runIDs() }

    func testRunReplayIdenticalWithOneAndTwoThreadsAndAnEditedLiteralIsNamed() throws {
        let run = try kymo(["run", "nb.kymo", "--threads", "1"])
        XCTAssertEqual(run.status, 0, run.err)
        let id = try XCTUnwrap(runIDs().first)
        XCTAssertTrue(run.err.contains(id), run.err)   // the closing line names it, on stderr
        // The host gathered its build and environment and the record holds them.
        let e = try RunStore(folder: dir + "/runs").load(id).record.environment
        XCTAssertTrue(e.kernel.hasPrefix("Linux"), e.kernel)
        XCTAssertNotEqual(e.os, "unknown")
        XCTAssertNotEqual(e.cpuModel, "unknown")
        XCTAssertTrue(e.cpuFlags.contains("avx2"), "\(e.cpuFlags)")
        XCTAssertEqual(e.threads, 1)
        for threads in ["1", "2"] {
            let r = try kymo(["replay", id, "--threads", threads])
            XCTAssertEqual(r.status, 0, "threads \(threads): \(r.out)\(r.err)")
            XCTAssertEqual(r.out.split(separator: "\n").first, "identical", r.out)
        }
        // A copy of the record's notebook with one literal changed, in the Train cell.
        let record = try RunStore.read(recordAt: dir + "/runs/\(id)/record.json")
        let edited = record.notebook.text.replacingOccurrences(of: "* 0.1 + w", with: "* 0.12 + w")
        XCTAssertNotEqual(edited, record.notebook.text)
        try edited.write(toFile: dir + "/edited.kymo", atomically: true, encoding: .utf8)
        let r = try kymo(["replay", id, "--notebook", "edited.kymo"])
        XCTAssertEqual(r.status, 3, r.out + r.err)
        XCTAssertTrue(r.out.hasPrefix("diverged at cell 1 \"%% Train\": metric 'loss' at step 1:"), r.out)
        XCTAssertTrue(r.out.contains("largest absolute difference"), r.out)
        XCTAssertTrue(r.out.contains("cells whose source differs: 1 \"%% Train\""), r.out)
        // The listing.
        let list = try kymo(["runs"])
        XCTAssertEqual(list.status, 0)
        XCTAssertTrue(fields(list.out).contains([id, "nb.kymo", "complete", "0"]), list.out)
    }

    func testKilledRunResumesToTheUninterruptedRecord() throws {
        let steps = "400"   // no longer needs to be long: the run holds where it is killed
        let whole = try kymo(["run", "nb.kymo", "--set", "steps=\(steps)", "--threads", "1"])
        XCTAssertEqual(whole.status, 0, whole.err)
        let wholeID = try XCTUnwrap(runIDs().first)
        // Start again; it holds once the Data cell is recorded (StepHold) and is killed -9 there.
        let hold = try HoldFolder(dir + "/hold", afterCells: 1)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["run", "nb.kymo", "--set", "steps=\(steps)", "--threads", "1"]
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        p.environment = hold.environment
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let held = hold.wait(for: 1) { p.isRunning }
        XCTAssertEqual(held, [p.processIdentifier: "cells 1"])
        let killedID = runIDs().first { $0 != wholeID }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let id = try XCTUnwrap(killedID, "the second run never recorded its first cell")
        let killed = try RunStore.read(recordAt: dir + "/runs/\(id)/record.json")
        XCTAssertEqual(killed.status, .interrupted)
        XCTAssertEqual(killed.cells.count, 1, "killed before the Train cell was recorded")
        let listing = try kymo(["runs"]).out
        XCTAssertTrue(fields(listing).contains([id, "nb.kymo", "interrupted", "0"]), listing)

        let resumed = try kymo(["resume", id])
        XCTAssertEqual(resumed.status, 0, resumed.out + resumed.err)
        let a = try RunStore.read(recordAt: dir + "/runs/\(wholeID)/record.json")
        let b = try RunStore.read(recordAt: dir + "/runs/\(id)/record.json")
        XCTAssertEqual(b.status, .complete)
        XCTAssertEqual(b.resumes.count, 1)
        XCTAssertEqual(a.metrics, b.metrics, "loss series bit for bit")
        XCTAssertEqual(a.series(named: "loss")?.values.count, Int(steps))
        XCTAssertEqual(a.cells.map(\.output), b.cells.map(\.output))
        XCTAssertEqual(a.cells.map(\.valuesSHA256), b.cells.map(\.valuesSHA256), "the final weights w are the same")
        XCTAssertEqual(a.artifacts.map(\.sha256), b.artifacts.map(\.sha256))
        XCTAssertEqual(try kymo(["replay", id]).out.split(separator: "\n").first, "identical")
    }

    /// A tiny Moving-MNIST-layout file: uint8 [T, N, H, W] in NPY v1.0.
    func writeSequences(_ path: String, frames: Int, count: Int, size: Int) throws {
        var header = "{'descr': '|u1', 'fortran_order': False, 'shape': (\(frames), \(count), \(size), \(size)), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
        data.append(Data(header.utf8))
        var x: UInt32 = 12345
        for t in 0..<frames {
            for n in 0..<count {
                for y in 0..<size {
                    for c in 0..<size {
                        // a bright square moving right, over faint noise
                        x = x &* 1_664_525 &+ 1_013_904_223
                        let inSquare = (c - (n + 2 * t) % size + size) % size < 8 && (y - 3 * n % size + size) % size < 8
                        data.append(inSquare ? 255 : UInt8(x >> 28))
                    }
                }
            }
        }
        try data.write(to: URL(fileURLWithPath: path))
    }

    static let training = """
    %% Data
    let data = load_moving_mnist("seq.npy")

    %% Model
    let m = convlstm(layers: 1, hidden: 8, kernel: 3, size: 32, patch: 4, frames_in: 3, frames_out: 3)

    %% Train
    let h = train(m, data, steps: 600, batch: 4, lr: 0.01)
    print("last loss", h.loss[599])
    save(m, "weights.safetensors")

    %% Figures
    let fig = plot_loss([h], labels: ["ConvLSTM"])
    fig.save("figures/loss.svg")
    fig.save("figures/loss.pdf")
    fig.save("figures/loss.png")
    """

    func testKilledTrainingResumesFromItsCheckpointToTheSameWeights() throws {
        try killAndResume(Self.training)
    }

    /// The same with a OneCycle schedule, clipping, AdamW weight decay and
    /// early stopping: their state (schedule step, best weights, patience) goes
    /// through the checkpoint, and the lr and grad-norm series match too.
    func testKilledOneCycleTrainingWithClippingAndEarlyStoppingResumesToTheSameBits() throws {
        let knobs = Self.training.replacingOccurrences(
            of: "train(m, data, steps: 600, batch: 4, lr: 0.01)",
            with: "train(m, data, steps: 600, batch: 4, lr: 0.01, optimizer: \"adamw\", schedule: \"onecycle\", clip: 0.5, weight_decay: 0.01, validate: data, every: 40, early_stop: 50)")
        XCTAssertNotEqual(knobs, Self.training)
        let a = try killAndResume(knobs)
        XCTAssertEqual(a.metrics.map(\.name), ["train1.loss", "train1.lr", "train1.grad_norm", "train1.validation"])
    }

    /// Runs `notebook` whole, then again killed (-9) after a checkpoint at step
    /// 120 or later, resumes it, and requires the same bits; the whole record.
    @discardableResult
    func killAndResume(_ notebook: String) throws -> RunRecord {
        try writeSequences(dir + "/seq.npy", frames: 6, count: 12, size: 32)
        try notebook.write(toFile: dir + "/train.kymo", atomically: true, encoding: .utf8)
        let whole = try kymo(["run", "train.kymo", "--threads", "1"])
        XCTAssertEqual(whole.status, 0, whole.out + whole.err)
        let wholeID = try XCTUnwrap(runIDs().first)
        let a = try RunStore.read(recordAt: dir + "/runs/\(wholeID)/record.json")
        XCTAssertEqual(a.series(named: "train1.loss")?.values.count, 600)
        XCTAssertEqual(a.artifacts.map(\.path), ["weights.safetensors", "figures/loss.svg", "figures/loss.pdf", "figures/loss.png"])
        let wholePDF = try Data(contentsOf: URL(fileURLWithPath: dir + "/figures/loss.pdf"))
        XCTAssertEqual(Self.pdfDates(wholePDF), Self.pdfDates(of: a), "the PDF is dated by its run's start")
        // Replayed with 2 threads: the weights and the three figures byte for byte.
        let replayed = try kymo(["replay", wholeID, "--threads", "2"])
        XCTAssertEqual(replayed.status, 0, replayed.out + replayed.err)
        XCTAssertTrue(replayed.out.contains("4 artifacts"), replayed.out)

        // Start again (2 threads); it holds at its checkpoint of step 120 (StepHold), where it is killed -9.
        let hold = try HoldFolder(dir + "/hold", atStep: 120)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["run", "train.kymo", "--threads", "2"]
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        p.environment = hold.environment
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let held = hold.wait(for: 1) { p.isRunning }
        XCTAssertEqual(held[p.processIdentifier], "rank 0 step 120", "held: \(held)")
        let killedID = runIDs().first { $0 != wholeID }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let id = try XCTUnwrap(killedID, "no checkpoint was recorded before the run ended")
        let killed = try RunStore.read(recordAt: dir + "/runs/\(id)/record.json")
        XCTAssertEqual(killed.status, .interrupted)
        XCTAssertEqual(killed.cells.count, 2, "killed in the Train cell")
        XCTAssertTrue(killed.artifacts.isEmpty)
        let saved = try XCTUnwrap(killed.series(named: "train1.loss"))
        XCTAssertGreaterThanOrEqual(saved.values.count, 120, "the loss so far is saved with each checkpoint")
        XCTAssertLessThan(saved.values.count, 600)
        XCTAssertEqual(saved.values.bits, Array(a.series(named: "train1.loss")!.values.bits.prefix(saved.values.count)))

        let resumed = try kymo(["resume", id, "--threads", "1"])
        XCTAssertEqual(resumed.status, 0, resumed.out + resumed.err)
        let b = try RunStore.read(recordAt: dir + "/runs/\(id)/record.json")
        XCTAssertEqual(b.status, .complete)
        XCTAssertGreaterThanOrEqual(b.resumes.first?.step ?? 0, 120, "continued from its checkpoint")
        XCTAssertEqual(a.metrics, b.metrics, "loss series bit for bit")
        // The same weights and figures; the PDF's dates are each run's start (the resumed run's is its first start).
        let pdf = a.artifacts.firstIndex { $0.path.hasSuffix(".pdf") }
        XCTAssertEqual(a.artifacts.indices.filter { $0 != pdf }.map { a.artifacts[$0].sha256 },
                       b.artifacts.indices.filter { $0 != pdf }.map { b.artifacts[$0].sha256 }, "the saved weights' and figures' SHA-256")
        let resumedPDF = try Data(contentsOf: URL(fileURLWithPath: dir + "/figures/loss.pdf"))
        XCTAssertEqual(Self.pdfDates(resumedPDF), Self.pdfDates(of: b))
        XCTAssertEqual(Self.undated(resumedPDF), Self.undated(wholePDF), "the PDFs differ in their dates alone")
        XCTAssertEqual(a.cells.map(\.valuesSHA256), b.cells.map(\.valuesSHA256))
        let replay = try kymo(["replay", id, "--threads", "2"])
        XCTAssertEqual(replay.out.split(separator: "\n").first, "identical", replay.out)
        return a
    }

    /// The CreationDate and ModDate of a PDF Cairo wrote ("20261206101512Z", with or without "D:").
    static func pdfDates(_ pdf: Data) -> [String] {
        let text = String(decoding: pdf, as: UTF8.self)
        return ["/CreationDate (", "/ModDate ("].compactMap { key in
            guard let r = text.range(of: key) else { return nil }
            var v = text[r.upperBound...].prefix { $0 != ")" }
            if v.hasPrefix("D:") { v = v.dropFirst(2) }
            return String(v.prefix(14))
        }
    }

    /// What `pdfDates` should read for a record: its start to the second, twice.
    static func pdfDates(of r: RunRecord) -> [String] {
        let digits = String(r.startedAt.prefix(19).filter(\.isNumber))
        return [digits, digits]
    }

    /// A PDF with its dates' digits blanked.
    static func undated(_ pdf: Data) -> Data {
        var bytes = [UInt8](pdf)
        for key in ["/CreationDate (", "/ModDate ("] {
            let k = Array(key.utf8)
            guard let at = (0...(bytes.count - k.count)).first(where: { bytes[$0..<($0 + k.count)].elementsEqual(k) }) else { continue }
            var i = at + k.count
            while i < bytes.count && bytes[i] != UInt8(ascii: ")") {
                if bytes[i] >= UInt8(ascii: "0") && bytes[i] <= UInt8(ascii: "9") { bytes[i] = UInt8(ascii: "0") }
                i += 1
            }
        }
        return Data(bytes)
    }

    func testRefusedRecordsExitTwoWithTheReason() throws {
        XCTAssertEqual(try kymo(["run", "nb.kymo"]).status, 0)
        let id = try XCTUnwrap(runIDs().first)
        let path = dir + "/runs/\(id)/record.json"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "\"seed\" : 0", with: "\"seed\" : 1").write(toFile: path, atomically: true, encoding: .utf8)
        let r = try kymo(["replay", id])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.err.contains("edited by hand"), r.err)
        try String(text.prefix(text.count / 2)).write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertTrue(try kymo(["runs", "show", id]).err.contains("truncated"))
    }
}
