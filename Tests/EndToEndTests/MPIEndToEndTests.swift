// End to end under Open MPI (`mpirun --allow-run-as-root --oversubscribe`):
// a tiny training notebook run plainly and as 1, 2 and 3 processes writes
// byte-identical weights and identical metric bits (loss, validation and
// evaluate); the 3-process record replays `identical` in one process and in
// two; a
// `kill -9` of one rank stops the job within seconds with the rank named and
// leaves rank 0's record valid and `interrupted`, and `kymo resume` in one
// process completes it to the metrics of an uninterrupted run.
import Foundation
import XCTest
import Records
import TestSupport

final class MPIEndToEndTests: KymoTestCase {
    static let notebook = """
    %% Data
    seed(5)
    let steps = 6
    let data = moving_mnist(train: 24, test: 7, frames: 4, size: 32)

    %% Model
    let m = convlstm(layers: 1, hidden: 4, kernel: 3, size: 32, patch: 4, frames_in: 2, frames_out: 2)

    %% Train
    let h = train(m, data.train, steps: steps, batch: 5, lr: 1e-2, validate: data.test, every: 3)
    print("loss", h.loss, h.validation)
    save(m, "out/weights.safetensors")

    %% Evaluate
    let e = evaluate(m, data.test)
    log("mse", e.mse)
    print("mse", e.mse, "ssim", e.ssim)
    """

    var mpirun: String!

    override func setUpWithError() throws {
        try super.setUpWithError()
        guard let m = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw KymoBinary.missing("no mpirun (apt-get install openmpi-bin libopenmpi-dev)")
        }
        mpirun = m
        try Self.notebook.write(toFile: dir + "/nb.kymo", atomically: true, encoding: .utf8)
        // The 5,000 MNIST digits: the repository's data/ or the user data folder (kymo data fetch).
        let digits = try KymoBinary.digitsFolder()
        try FileManager.default.createSymbolicLink(atPath: dir + "/data", withDestinationPath: digits)
    }

    @discardableResult
    func launch(_ exe: String, _ args: [String]) throws -> (status: Int32, out: String, err: String) {
        try KymoBinary.execute(exe, args, in: dir)
    }

    /// Starts `exe` without waiting (the kill test stops it from outside), in `environment`; its standard error in a pipe.
    func start(_ exe: String, _ args: [String], environment: [String: String]) throws -> (process: Process, err: Pipe) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        p.environment = environment
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        let err = Pipe()
        p.standardOutput = FileHandle.nullDevice
        p.standardError = err
        try p.run()
        return (p, err)
    }

    func mpi(_ n: Int, _ args: [String]) throws -> (status: Int32, out: String, err: String) {
        try launch(mpirun, ["--allow-run-as-root", "--oversubscribe", "-np", "\(n)", binary] + args)
    }

    func newestRun(_ runs: String) throws -> RunRecord {
        let store = RunStore(folder: dir + "/" + runs)
        let id = try XCTUnwrap(store.runIDs().last, "no run in \(runs)")
        return try store.load(id).record
    }

    /// Every metric series' exact values, by name.
    func metricBits(_ r: RunRecord) -> [String: String] {
        Dictionary(uniqueKeysWithValues: r.metrics.map { ($0.name, "\($0)") })
    }

    func testOneTwoThreeProcessesAreBitIdenticalAndReplayInOne() throws {
        let plain = try launch(binary, ["run", "nb.kymo", "--runs", "runs-plain", "--threads", "1"])
        XCTAssertEqual(plain.status, 0, plain.err)
        let weights0 = try Data(contentsOf: URL(fileURLWithPath: dir + "/out/weights.safetensors"))
        let base = try newestRun("runs-plain")
        XCTAssertEqual(base.status, .complete)
        XCTAssertFalse(base.metrics.isEmpty)
        for n in [1, 2, 3] {
            try? FileManager.default.removeItem(atPath: dir + "/out")
            let r = try mpi(n, ["run", "nb.kymo", "--runs", "runs-\(n)", "--threads", "1"])
            XCTAssertEqual(r.status, 0, "\(n) processes: \(r.out)\(r.err)")
            // Only rank 0 printed: one closing line, the same cell output.
            XCTAssertEqual(r.err.components(separatedBy: "recorded in").count - 1, 1, r.err)   // the closing line is on stderr
            let weights = try Data(contentsOf: URL(fileURLWithPath: dir + "/out/weights.safetensors"))
            XCTAssertEqual(weights, weights0, "\(n) processes wrote other weights")
            let rec = try newestRun("runs-\(n)")
            XCTAssertEqual(rec.status, .complete)
            XCTAssertEqual(rec.environment.processes, n)
            XCTAssertEqual(metricBits(rec), metricBits(base), "\(n) processes")
            XCTAssertEqual(rec.cells.map(\.output), base.cells.map(\.output))
            XCTAssertEqual(rec.cells.map(\.valuesSHA256), base.cells.map(\.valuesSHA256))
            if n == 3 {
                let replay = try launch(binary, ["replay", dir + "/runs-3/" + rec.id, "--threads", "2"])
                XCTAssertEqual(replay.status, 0, replay.out + replay.err)
                XCTAssertEqual(replay.out.split(separator: "\n").first, "identical", replay.out)
                // And as 2 processes: rank 0 alone prints the report.
                let replay2 = try mpi(2, ["replay", dir + "/runs-3/" + rec.id, "--threads", "1"])
                XCTAssertEqual(replay2.status, 0, replay2.out + replay2.err)
                XCTAssertEqual(replay2.out.split(separator: "\n").filter { $0 == "identical" }.count, 1, replay2.out)
            }
        }
    }

    func testKillingOneRankStopsTheJobAndTheRecordResumes() throws {
        // Both ranks hold at the checkpoint of step 40 of 400 (StepHold), each
        // announcing its pid and rank: rank 1 is killed while both exist and
        // are mid-training, however fast or slow the machine.
        let text = Self.notebook.replacingOccurrences(of: "let steps = 6", with: "let steps = 400")
        try text.write(toFile: dir + "/nb.kymo", atomically: true, encoding: .utf8)
        let hold = try HoldFolder(dir + "/hold", atStep: 40)
        let job = try start(mpirun, ["--allow-run-as-root", "--oversubscribe", "-np", "2", binary, "run", "nb.kymo", "--runs", "runs"],
                            environment: hold.environment)
        let held = hold.wait(for: 2) { job.process.isRunning }
        XCTAssertEqual(Set(held.values), ["rank 0 step 40", "rank 1 step 40"], "held: \(held)")
        let rank1 = try XCTUnwrap(held.first { $0.value.hasPrefix("rank 1 ") }?.key)
        kill(rank1, SIGKILL)
        // A killed rank cannot remove its scratch folder (MPIJob's atexit): the test does.
        ScratchFolders.removeAtExit(NSTemporaryDirectory() + "kymo-rank1-\(rank1)")
        let killedAt = Date()
        job.process.waitUntilExit()
        XCTAssertLessThan(Date().timeIntervalSince(killedAt), 60, "the job took too long to stop")
        let err = String(decoding: job.err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertNotEqual(job.process.terminationStatus, 0)
        XCTAssertTrue(err.contains("rank 1"), err)
        // Rank 0 may still be exiting when mpirun returns: its record turns `interrupted` once it is gone.
        var rec = try newestRun("runs")
        XCTAssertTrue(try HoldFolder.until { rec = try newestRun("runs"); return rec.status != .running }, "rank 0's record stays running")
        XCTAssertEqual(rec.status, .interrupted)
        XCTAssertEqual(rec.checkpoints.first?.step, 40, "the checkpoint of the held step")
        // Resume in one process: ends complete, with the metrics of an uninterrupted run.
        let resumed = try launch(binary, ["resume", rec.id, "--runs", "runs"])
        XCTAssertEqual(resumed.status, 0, resumed.out + resumed.err)
        let done = try RunStore(folder: dir + "/runs").load(rec.id).record
        XCTAssertEqual(done.status, .complete)
        let whole = try launch(binary, ["run", "nb.kymo", "--runs", "runs-whole"])
        XCTAssertEqual(whole.status, 0, whole.err)
        XCTAssertEqual(metricBits(done), metricBits(try newestRun("runs-whole")))
    }
}
