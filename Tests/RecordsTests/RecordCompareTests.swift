// Replay comparison on synthetic records: identical is identical whatever the
// timings and thread count; otherwise the FIRST divergence is named with its
// cell, what differs (metric at step S with the largest differences, output
// line, value, artifact bytes); under one numerics version nothing excuses a
// difference, and a BLAS kernel explains only records from before numerics versions.
import Foundation
import XCTest
import TestSupport
@testable import Records

final class RecordCompareTests: XCTestCase {
    func testSameRecordIsIdenticalWhateverTimesAndThreads() {
        let a = RecordFixtures.record()
        var b = a
        b.startedAt = "2030-01-01T00:00:00.000Z"
        b.endedAt = "2030-01-01T01:00:00.000Z"
        for i in b.cells.indices { b.cells[i].duration = 99; b.cells[i].startedAt = "2030-01-01T00:00:01.000Z" }
        b.environment.threads = 2
        let report = ReplayCompare.compare(recorded: a, fresh: b)
        XCTAssertTrue(report.isIdentical)
        XCTAssertFalse(report.isDrift)
        XCTAssertEqual(report.comparedCells, 3)
        XCTAssertEqual(report.comparedPoints, 4)
        XCTAssertEqual(report.comparedArtifacts, 1)
        let text = report.render()
        XCTAssertTrue(text.hasPrefix("identical\n"), text)
        XCTAssertTrue(text.contains("threads: 1 → 2"), text)
    }

    func testMetricDivergenceNamesCellStepAndLargestDifferences() {
        let a = RecordFixtures.record(loss: [0.5, 0.25, 0.125, 0.0625])
        let b = RecordFixtures.record(loss: [0.5, 0.25, 0.126, 0.0725], output: "loss 0.0725\n")
        let report = ReplayCompare.compare(recorded: a, fresh: b)
        guard let d = report.divergence, case .metric(let m) = d.difference else { return XCTFail(report.render()) }
        XCTAssertEqual(d.cell, 1)
        XCTAssertEqual(d.cellTitle, "Train")
        XCTAssertEqual(m.name, "loss")
        XCTAssertEqual(m.step, 3)
        XCTAssertEqual(m.recorded, 0.125)
        XCTAssertEqual(m.now, 0.126)
        XCTAssertEqual(m.maxAbs, 0.0725 - 0.0625, accuracy: 1e-15)
        XCTAssertEqual(m.maxAbsStep, 4)
        XCTAssertEqual(m.maxRel, (0.0725 - 0.0625) / 0.0625, accuracy: 1e-12)
        XCTAssertEqual(m.maxRelStep, 4)
        XCTAssertEqual(m.differing, 2)
        XCTAssertEqual(d.alsoDiffering, ["printed output (line 1)"])
        let text = report.render()
        XCTAssertTrue(text.hasPrefix("diverged at cell 1 \"%% Train\": metric 'loss' at step 3: recorded 0.125, now 0.126\n"), text)
        XCTAssertTrue(text.contains("largest absolute difference 0.01 (step 4)"), text)
        XCTAssertTrue(text.contains("largest relative difference 0.16 (step 4)"), text)
    }

    func testNaNAgainstANumberIsAnInfiniteDifference() {
        let a = RecordFixtures.record(loss: [0.5, .nan])
        let b = RecordFixtures.record(loss: [0.5, 0.25])
        guard case .metric(let m)? = ReplayCompare.compare(recorded: a, fresh: b).divergence?.difference else { return XCTFail() }
        XCTAssertEqual(m.step, 2)
        XCTAssertTrue(m.recorded.isNaN)
        XCTAssertEqual(m.maxAbs, .infinity)
        // Same NaN bits: identical.
        XCTAssertTrue(ReplayCompare.compare(recorded: a, fresh: a).isIdentical)
        // -0 and +0 are different bits.
        let z = ReplayCompare.compare(recorded: RecordFixtures.record(loss: [0.0]), fresh: RecordFixtures.record(loss: [-0.0]))
        XCTAssertNotNil(z.divergence)
    }

    func testFirstDivergenceIsTheEarliestCell() {
        // Cell 0 (a value) and cell 2 (an artifact) differ: cell 0 is named.
        let a = RecordFixtures.record()
        let b = RecordFixtures.record(xDigest: String(repeating: "c", count: 64), svg: String(repeating: "d", count: 64))
        let report = ReplayCompare.compare(recorded: a, fresh: b)
        XCTAssertEqual(report.divergence?.cell, 0)
        XCTAssertEqual(report.divergence?.difference, .value(name: "x", recordedType: "int", nowType: "int"))
        XCTAssertTrue(report.render().hasPrefix("diverged at cell 0 \"%% Data\": value digest of 'x' (int) differs"), report.render())
    }

    func testArtifactBytesDivergence() {
        let a = RecordFixtures.record()
        var b = RecordFixtures.record(svg: String(repeating: "d", count: 64))
        b.artifacts[0].size = 11
        let report = ReplayCompare.compare(recorded: a, fresh: b)
        XCTAssertEqual(report.divergence?.cell, 2)
        XCTAssertEqual(report.divergence?.difference, .artifact(path: "figures/loss.svg", recordedSHA256: String(repeating: "b", count: 64),
                                                                nowSHA256: String(repeating: "d", count: 64), recordedSize: 10, nowSize: 11))
        XCTAssertTrue(report.render().contains("artifact figures/loss.svg: bytes differ"))
        // Not written at all on replay.
        var c = a
        c.artifacts = []
        XCTAssertEqual(ReplayCompare.compare(recorded: a, fresh: c).divergence?.difference.summary,
                       "artifact figures/loss.svg was written on record but not now")
    }

    func testOutputDivergenceNamesTheLine() {
        var a = RecordFixtures.record()
        a.cells[1].output = "step 1\nstep 2\nloss 0.0625\n"
        var b = a
        b.cells[1].output = "step 1\nstep 2\nloss 0.0626\n"
        let report = ReplayCompare.compare(recorded: a, fresh: b)
        XCTAssertEqual(report.divergence?.difference, .output(line: 3, recorded: "loss 0.0625", now: "loss 0.0626"))
    }

    func testStatusAndMissingCells() {
        let a = RecordFixtures.record()
        var b = a
        b.cells[1].status = .failed
        b.cells[1].error = "nb.kymo:3:1: error: boom"
        XCTAssertEqual(ReplayCompare.compare(recorded: a, fresh: b).divergence?.difference,
                       .status(recorded: .complete, now: .failed, error: "nb.kymo:3:1: error: boom"))
        var c = a
        c.cells.removeLast()
        let d = ReplayCompare.compare(recorded: a, fresh: c).divergence
        XCTAssertEqual(d?.cell, 2)
        XCTAssertEqual(d?.difference, .cellMissing(recordedCells: 3, nowCells: 2))
    }

    func testInterruptedRecordingComparesItsPrefix() {
        // Killed during cell 1 after a checkpoint saved two loss points.
        var a = RecordFixtures.record()
        a.status = .interrupted
        a.cells = [a.cells[0]]
        a.metrics[0] = MetricSeriesRecord(name: "loss", source: "log", steps: [1, 2], values: ExactValues([0.5, 0.25]))
        a.artifacts = []
        let b = RecordFixtures.record()
        let report = ReplayCompare.compare(recorded: a, fresh: b)
        XCTAssertTrue(report.isIdentical, report.render())
        XCTAssertEqual(report.comparedPoints, 2)
        XCTAssertTrue(report.render().contains("note: the recording was interrupted"))
        // A saved point that the replay does not reproduce.
        let c = RecordFixtures.record(loss: [0.5, 0.2500001, 0.125, 0.0625])
        let r2 = ReplayCompare.compare(recorded: a, fresh: c)
        guard case .metric(let m)? = r2.divergence?.difference else { return XCTFail(r2.render()) }
        XCTAssertEqual(r2.divergence?.cell, 1)
        XCTAssertEqual(m.step, 2)
    }

    func testAChangedBlasKernelExplainsOnlyARecordFromBeforeNumericsVersions() {
        // Both sides without a numerics version (records of that time): their bits followed the BLAS kernel.
        let a = RecordFixtures.record()
        var b = RecordFixtures.record(loss: [0.5, 0.25, 0.125, 0.0625000001])
        b.environment.blasKernel = "Haswell"
        b.environment.cpuModel = "Intel Xeon"
        let report = ReplayCompare.compare(recorded: a, fresh: b)
        XCTAssertTrue(report.isDrift)
        XCTAssertFalse(report.isUnexplained)
        XCTAssertEqual(report.environmentChanges.map(\.part), ["cpu model", "blas kernel"])
        let text = report.render()
        XCTAssertTrue(text.contains("blas kernel: Cooperlake → Haswell"), text)
        XCTAssertTrue(text.contains("the record predates numerics versions"), text)
        XCTAssertFalse(text.contains("should have been identical"), text)
    }

    func testUnderOneNumericsVersionNothingExcusesADifference() {
        // Another CPU, BLAS kernel, compiler and commit, the same numerics version: unexplained.
        var a = RecordFixtures.record()
        a.numerics = "kymo-numerics-2"
        var b = RecordFixtures.record(loss: [0.5, 0.25, 0.125, 0.0625000001])
        b.numerics = "kymo-numerics-2"
        b.environment.blasKernel = "Prescott"
        b.environment.cpuModel = "Intel Xeon"
        b.environment.swiftVersion = "6.4"
        b.kymo.commit = "0123456"
        let report = ReplayCompare.compare(recorded: a, fresh: b)
        XCTAssertEqual(report.verdict, .diverged)
        XCTAssertFalse(report.isDrift)
        XCTAssertTrue(report.isUnexplained)
        XCTAssertTrue(report.differences.allSatisfy { if case .numeric = $0.kind { return true } else { return false } }, report.render())
        let text = report.render()
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[0].hasPrefix("diverged at cell 1"), text)
        XCTAssertEqual(lines[1], "  same numerics version (kymo-numerics-2): this should have been identical", text)
        for excuse in ["explained", "drift", "kernels round", "can alter"] { XCTAssertFalse(text.contains(excuse), "\(excuse) in\n\(text)") }
        XCTAssertTrue(text.contains("kymo commit: unknown → 0123456"), text)
        XCTAssertTrue(text.contains("both sides run numerics kymo-numerics-2: none of these changes a bit of the results"), text)
        // Another numerics version does explain it.
        b.numerics = "kymo-numerics-3"
        let other = ReplayCompare.compare(recorded: a, fresh: b)
        XCTAssertFalse(other.isUnexplained)
        XCTAssertTrue(other.differences.contains { $0.kind == .explained(by: "the changed numerics") }, other.render())
        XCTAssertFalse(other.render().contains("should have been identical"))
    }

    func testRunsDiffShowsConfigEnvironmentAndMetricsSideBySide() {
        let a = RecordFixtures.record()
        var b = RecordFixtures.record(loss: [0.5, 0.25, 0.125, 0.07])
        b.id = "20260102-000000-bbbbbb"
        b.seed = 9
        b.overrides = [Override(key: "steps", value: "5")]
        b.environment.threads = 2
        let text = RunListing.diff(a, b)
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains { $0.hasPrefix("* seed") && $0.contains("7") && $0.hasSuffix("9") }, text)
        XCTAssertTrue(lines.contains { $0.hasPrefix("* --set steps") && $0.hasSuffix("5") }, text)
        XCTAssertTrue(lines.contains { $0.hasPrefix("* threads") }, text)
        XCTAssertTrue(lines.contains { $0.hasPrefix("  blas ") }, text)
        XCTAssertTrue(lines.contains { $0.hasPrefix("* loss") && $0.contains("max |Δ| 0.0075 (step 4)") }, text)
        XCTAssertTrue(text.contains("diverged at cell 1 \"%% Train\": metric 'loss' at step 4"), text)
        let show = RunListing.show(a, folder: "runs/x")
        XCTAssertTrue(show.contains("loss (log): 4 points, first 0.5 (step 1), last 0.0625 (step 4)"), show)
        XCTAssertTrue(show.contains("figures/loss.svg  10 bytes"), show)
    }
}
