// End to end, as a cluster treats kymo: started by bare name from the PATH
// in a folder without a `kymo` file (`--procs`, `kymo resume --procs`,
// `kymo bench scaling` start the running binary, not ./kymo); SIGTERM
// mid-training (what scancel and a time limit send) leaves an `interrupted`
// record with the held step's checkpoint and exit 143 (under `--procs` too:
// mpirun passes it on to every rank), and the resumed record carries an
// uninterrupted run's bits; a record written under another host
// name (`unshare --uts`) is refused by `kymo resume` while its lease is
// renewed, naming the host and the lease's age, and taken over once the
// lease has expired. No step waits on time: the job announces where it holds
// (HoldFolder), and the lease is waited on until its own file says expired.
import Foundation
import XCTest
import Records
import TestSupport

final class ClusterEndToEndTests: XCTestCase {
    var binary: String!
    var dir: String!
    /// A folder holding only a `kymo` symlink to the binary, first on the PATH.
    var bin: String!

    override func setUpWithError() throws {
        binary = try KymoBinary.require()
        guard ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].contains(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw KymoBinary.missing("no mpirun (apt-get install openmpi-bin libopenmpi-dev)")
        }
        let root = RecordFixtures.scratch(name)
        dir = root + "/work"
        bin = root + "/bin"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: bin + "/kymo", withDestinationPath: binary)
        try MPIEndToEndTests.notebook.write(toFile: dir + "/nb.kymo", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir + "/data", withDestinationPath: try KymoBinary.digitsFolder())
    }

    /// The environment with `bin` first on the PATH (plus `extra`).
    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = bin + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        for (k, v) in extra { env[k] = v }
        return env
    }

    /// `kymo ARGS` found on the PATH (argv[0] is the bare name), run in `dir` to its end.
    func kymo(_ args: [String], _ extra: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/kymo"), "the folder must hold no kymo file")
        let env = environment(extra)
        return try KymoBinary.execute("/usr/bin/env", ["PATH=" + env["PATH"]!, "kymo"] + args, in: dir, environment: extra)
    }

    /// Starts `/usr/bin/env kymo ARGS…` (or `exe args`) in `dir` without waiting.
    func start(_ exe: String, _ args: [String], _ extra: [String: String]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        p.environment = environment(extra)
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    func record(_ runs: String) throws -> RunRecord {
        let store = RunStore(folder: dir + "/" + runs)
        let id = try XCTUnwrap(store.runIDs().last, "no run in \(runs)")
        return try store.load(id).record
    }

    func bits(_ r: RunRecord) -> [String: String] { Dictionary(uniqueKeysWithValues: r.metrics.map { ($0.name, "\($0)") }) }

    func testProcsAndBenchScalingStartTheBinaryFoundOnThePath() throws {
        let r = try kymo(["run", "nb.kymo", "--procs", "2", "--threads", "1", "--runs", "runs"])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        let rec = try record("runs")
        XCTAssertEqual(rec.status, .complete)
        XCTAssertEqual(rec.environment.processes, 2)
        // What kymo added to mpirun is said, not silent.
        XCTAssertEqual(r.err.contains("--allow-run-as-root"), getuid() == 0, r.err)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let over = try kymo(["run", "nb.kymo", "--procs", "\(cores + 1)", "--threads", "1", "--runs", "runs-over"])
        XCTAssertEqual(over.status, 0, over.out + over.err)
        XCTAssertTrue(over.err.contains("\(cores + 1) processes on \(cores) cores: mpirun --oversubscribe"), over.err)
        XCTAssertTrue(bits(try record("runs-over")) == bits(rec), "oversubscribed metrics differ")

        let b = try kymo(["bench", "scaling", "--procs", "1,2", "--threads", "1", "--steps", "1", "--quick"])
        XCTAssertEqual(b.status, 0, b.out + b.err)
        let lines = b.out.split(separator: "\n").map(String.init)
        let header = try XCTUnwrap(lines.first { $0.hasPrefix("model ") }, b.out)
        let rows = lines.filter { $0.hasPrefix("small ") }
        XCTAssertEqual(rows.count, 2, b.out)
        XCTAssertTrue(rows[0].contains("1×1") && rows[1].contains("2×1"), b.out)
        // Columns line up: every right-aligned column ends where its header ends.
        for column in ["step s", "speedup", "efficiency"] {
            let end = try XCTUnwrap(header.range(of: column)).upperBound.utf16Offset(in: header)
            for row in rows {
                let i = row.utf16.index(row.utf16.startIndex, offsetBy: end)
                XCTAssertNotEqual(row.utf16[row.utf16.index(before: i)], UInt16(UInt8(ascii: " ")), "\(column): \(row)")
                XCTAssertTrue(i == row.utf16.endIndex || row.utf16[i] == UInt16(UInt8(ascii: " ")), "\(column): \(row)")
            }
        }
        XCTAssertTrue(rows[0].contains(" 1.00 ") && rows[0].contains("100%"), rows[0])
        XCTAssertTrue(b.out.contains("communication overtakes compute at"), b.out)
    }

    func testSigtermMidTrainingCheckpointsAndResumesToTheUninterruptedBits() throws {
        let text = MPIEndToEndTests.notebook.replacingOccurrences(of: "let steps = 6", with: "let steps = 100")
        try text.write(toFile: dir + "/nb.kymo", atomically: true, encoding: .utf8)
        let hold = try HoldFolder(dir + "/hold", atStep: 40)
        let job = try start("/usr/bin/env", ["kymo", "run", "nb.kymo", "--runs", "runs", "--threads", "1"], hold.variables)
        let held = hold.wait(for: 1) { job.isRunning }
        XCTAssertEqual(Array(held.values), ["rank 0 step 40"], "held: \(held)")
        kill(job.processIdentifier, SIGTERM)
        job.waitUntilExit()
        XCTAssertEqual(job.terminationStatus, 143)
        let rec = try record("runs")
        XCTAssertEqual(rec.status, .interrupted)
        XCTAssertEqual(rec.checkpoints.map(\.step), [40], "the checkpoint of the step it stopped at")
        XCTAssertEqual(rec.cells.map(\.status), [.complete, .complete, .interrupted, .skipped])
        XCTAssertEqual(rec.series(named: "train1.loss")?.steps.last, 40)
        // Resumed as two processes, by kymo found on the PATH.
        let resumed = try kymo(["resume", rec.id, "--runs", "runs", "--procs", "2", "--threads", "1"])
        XCTAssertEqual(resumed.status, 0, resumed.out + resumed.err)
        let done = try RunStore(folder: dir + "/runs").load(rec.id).record
        XCTAssertEqual(done.status, .complete)
        XCTAssertEqual(done.resumes.map(\.step), [40])
        XCTAssertEqual(done.resumes.last?.environment.processes, 2, "resumed as two processes")
        let whole = try kymo(["run", "nb.kymo", "--runs", "runs-whole", "--threads", "1"])
        XCTAssertEqual(whole.status, 0, whole.err)
        let w = try record("runs-whole")
        XCTAssertTrue(bits(done) == bits(w), "the resumed metrics differ from the uninterrupted run's")
        XCTAssertEqual(done.cells.map(\.valuesSHA256), w.cells.map(\.valuesSHA256))
        XCTAssertEqual(done.cells.map(\.output), w.cells.map(\.output))
    }

    func testSigtermToAProcsRunReachesEveryRankAndLeavesAnInterruptedRecord() throws {
        // `kymo run --procs 2` (as a batch script's kymo is): SIGTERM to it reaches both ranks as SIGUSR1 through mpirun.
        let text = MPIEndToEndTests.notebook.replacingOccurrences(of: "let steps = 6", with: "let steps = 100")
        try text.write(toFile: dir + "/nb.kymo", atomically: true, encoding: .utf8)
        let hold = try HoldFolder(dir + "/hold", atStep: 40)
        let job = try start("/usr/bin/env", ["kymo", "run", "nb.kymo", "--procs", "2", "--runs", "runs", "--threads", "1"], hold.variables)
        let held = hold.wait(for: 2) { job.isRunning }
        XCTAssertEqual(Set(held.values), ["rank 0 step 40", "rank 1 step 40"], "held: \(held)")
        kill(job.processIdentifier, SIGTERM)
        job.waitUntilExit()
        XCTAssertEqual(job.terminationStatus, 143)
        var rec = try record("runs")
        // Rank 0 may still be exiting when mpirun returns: its record turns `interrupted` once it is gone.
        XCTAssertTrue(try HoldFolder.until { rec = try record("runs"); return rec.status != .running }, "rank 0's record stays running")
        XCTAssertEqual(rec.status, .interrupted)
        XCTAssertEqual(rec.checkpoints.map(\.step), [40])
        XCTAssertEqual(rec.environment.processes, 2)
    }

    func testARecordOfAnotherHostIsRefusedWhileItsLeaseIsFreshAndTakenOverOnceItExpires() throws {
        let text = MPIEndToEndTests.notebook.replacingOccurrences(of: "let steps = 6", with: "let steps = 100")
        try text.write(toFile: dir + "/nb.kymo", atomically: true, encoding: .utf8)
        // Another host name for the writer only: a UTS namespace of its own (root, or a user namespace).
        let unshare = ["/usr/bin/unshare", "/bin/unshare"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let unshare else { throw KymoBinary.missing("no unshare (util-linux)") }
        let ns = getuid() == 0 ? ["--uts"] : ["--uts", "--map-root-user"]
        let probe = try KymoBinary.execute(unshare, ns + ["/bin/sh", "-c", "hostname kymo-node07 && hostname"], in: dir)
        guard probe.status == 0 else { throw KymoBinary.missing("unshare \(ns.joined(separator: " ")) is not permitted here: \(probe.err)") }
        let hold = try HoldFolder(dir + "/hold", atStep: 40)
        let job = try start(unshare, ns + ["/bin/sh", "-c", "hostname kymo-node07 && exec kymo run nb.kymo --runs runs --threads 1"],
                            hold.variables.merging(["KYMO_LEASE_SECONDS": "1"]) { $1 })
        let held = hold.wait(for: 1) { job.isRunning }
        XCTAssertEqual(Array(held.values), ["rank 0 step 40"], "held: \(held)")
        let writer = try XCTUnwrap(held.keys.first)
        let rec = try record("runs")
        XCTAssertEqual(rec.process?.host, "kymo-node07")
        XCTAssertEqual(rec.status, .running, "alive while its lease is renewed")
        let refused = try kymo(["resume", rec.id, "--runs", "runs"])
        XCTAssertEqual(refused.status, 2, refused.out + refused.err)
        XCTAssertTrue(refused.err.contains("still running (process \(writer) on kymo-node07"), refused.err)
        XCTAssertTrue(refused.err.contains("lease renewed"), refused.err)
        // The writer dies without a word; once its lease is three periods old, the record is interrupted here.
        kill(writer, SIGKILL)
        job.waitUntilExit()
        let folder = dir + "/runs/" + rec.id
        XCTAssertTrue(HoldFolder.until { Lease.read(runFolder: folder)?.isExpired() ?? false }, "the lease never expired")
        XCTAssertEqual(try record("runs").status, .interrupted)
        let resumed = try kymo(["resume", rec.id, "--runs", "runs", "--threads", "1"])
        XCTAssertEqual(resumed.status, 0, resumed.out + resumed.err)
        let done = try RunStore(folder: dir + "/runs").load(rec.id).record
        XCTAssertEqual(done.status, .complete)
        XCTAssertEqual(done.process?.host, ProcessCheck.hostName(), "taken over by this host")
        XCTAssertNil(Lease.read(runFolder: folder), "a finished record keeps no lease")
        let whole = try kymo(["run", "nb.kymo", "--runs", "runs-whole", "--threads", "1"])
        XCTAssertEqual(whole.status, 0, whole.err)
        XCTAssertTrue(bits(done) == bits(try record("runs-whole")), "the resumed metrics differ from the uninterrupted run's")
    }
}
