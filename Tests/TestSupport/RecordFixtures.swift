// RecordFixtures: small fixtures for the record tests — a scratch folder
// per test, a synthetic record with cells, metrics and an artifact, and a
// fixed environment (so tests never depend on the machine).
import Foundation
import XCTest
import Records

public enum RecordFixtures {
    /// A fresh folder for one test, removed when the test process exits
    /// (set KYMO_KEEP_TEST_FILES=1 to keep them for a look after a failure).
    public static func scratch(_ name: String = #function) -> String {
        ScratchFolders.make("records-" + name)
    }

    public static let environment = EnvironmentFingerprint(
        os: "Debian GNU/Linux 12 (bookworm)", kernel: "Linux 6.1.0 x86_64", cpuModel: "AMD EPYC", cpuFlags: ["avx2", "fma", "avx512f"],
        cpuCount: 2, blasLibrary: "OpenBLAS", blasVersion: "0.3.21",
        blasConfig: "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64", blasKernel: "Cooperlake",
        blasCoreType: nil, threads: 1, swiftVersion: "6.3.1")

    /// What a host would pass in: a fixed build and the environment above.
    public static let host = HostStamp(build: BuildStamp(version: "0.1.0", commit: "unknown"), numerics: "kymo-numerics-2", environment: environment)

    public static func cell(_ index: Int, _ title: String?, output: String = "", values: [ValueDigest] = [],
                     counts: [MetricCount] = [], status: CellStatus = .complete) -> CellRecord {
        CellRecord(index: index, title: title, sourceSHA256: RecordHash.hex(of: "cell \(index)"), output: output, values: values,
                   valuesSHA256: ValueDigest.combined(values), metricCounts: counts, startedAt: "2026-01-01T00:00:00.000Z",
                   duration: 0.5, status: status, error: nil)
    }

    /// Three cells: Data (binds x), Train (logs 4 loss points), Figures (writes loss.svg).
    public static func record(loss: [Double] = [0.5, 0.25, 0.125, 0.0625], output: String = "loss 0.0625\n",
                       xDigest: String = String(repeating: "a", count: 64), svg: String = String(repeating: "b", count: 64)) -> RunRecord {
        var r = RunRecord(id: "20260101-000000-abcdef", startedAt: "2026-01-01T00:00:00.000Z",
                          notebook: NotebookSource(path: "nb.kymo", workingDirectory: "/tmp", text: "%% Data\nlet x = 1\n"),
                          seed: 7, overrides: [Override(key: "steps", value: "4")], kymo: BuildStamp(version: "0.1.0", commit: "unknown"),
                          environment: environment)
        r.cells = [
            cell(0, "Data", values: [ValueDigest(name: "x", type: "int", sha256: xDigest)]),
            cell(1, "Train", output: output, counts: [MetricCount(name: "loss", count: loss.count)]),
            cell(2, "Figures", counts: [MetricCount(name: "loss", count: loss.count)]),
        ]
        r.metrics = [MetricSeriesRecord(name: "loss", source: "log", steps: Array(1...loss.count), values: ExactValues(loss))]
        r.artifacts = [ArtifactRecord(path: "figures/loss.svg", cell: 2, size: 10, sha256: svg, copy: "artifacts/figures/loss.svg")]
        r.status = .complete
        r.endedAt = "2026-01-01T00:00:02.500Z"
        return r
    }
}
