// The FMA peak `kymo bench engine` prints is measured with the vector width of
// the GEMM path that runs: these tests check which kernel the measurement
// calls (its lanes and chains) and that the peak on N threads runs N threads
// at once, never its timing.
import XCTest
@testable import TensorEngine

final class FMAPeakTests: XCTestCase {
    override func tearDown() {
        Numerics.forceGemmPath(.automatic)
        super.tearDown()
    }

    func testAVX2PathPeakUsesEightLaneChains() throws {
        XCTAssertTrue(Numerics.forceGemmPath(.avx2))
        XCTAssertEqual(Numerics.activeGemmPath, .avx2)
        let peak = EngineBenchmark.fmaPeakPerCore()
        XCTAssertEqual(peak.path, .avx2)
        XCTAssertEqual(peak.lanes, 8)
        XCTAssertGreaterThanOrEqual(peak.chains, 8, "two FMA units of latency 4 need at least 8 independent chains")
        XCTAssertEqual(peak.label, "AVX2 (8 lanes)")
    }

    func testAVX512PathPeakUsesSixteenLaneChains() throws {
        try XCTSkipUnless(Numerics.hasAVX512, "this CPU has no AVX-512F")
        XCTAssertTrue(Numerics.forceGemmPath(.avx512))
        XCTAssertEqual(Numerics.activeGemmPath, .avx512)
        let peak = EngineBenchmark.fmaPeakPerCore()
        XCTAssertEqual(peak.path, .avx512)
        XCTAssertEqual(peak.lanes, 16)
        XCTAssertGreaterThanOrEqual(peak.chains, 8, "two 512-bit FMA units of latency 4 need at least 8 independent chains")
        XCTAssertEqual(peak.label, "AVX-512 (16 lanes)")
    }

    func testAutomaticPeakFollowsTheAutomaticPath() throws {
        Numerics.forceGemmPath(.automatic)
        let peak = EngineBenchmark.fmaPeakPerCore()
        XCTAssertEqual(peak.path, Numerics.activeGemmPath)
        XCTAssertEqual(peak.lanes, Numerics.activeGemmPath == .avx512 ? 16 : 8)
        XCTAssertTrue(Numerics.gemmPath.contains(peak.path == .avx512 ? "avx512" : "avx2"))
        XCTAssertTrue(peak.gflopsPerCore > 0 && peak.gflopsPerCore.isFinite)
    }

    /// The peak "on N threads" is N threads computing at once (hyperthreads of
    /// one core, or more threads than cores, share the units), not N × one.
    func testPeakOnThreadsRunsThatManyThreadsAtOnce() throws {
        XCTAssertEqual(EngineBenchmark.concurrentPeakThreads(path: .avx2, threads: 1), 1)
        XCTAssertEqual(EngineBenchmark.concurrentPeakThreads(path: .avx2, threads: 3), 3)
        XCTAssertEqual(EngineBenchmark.concurrentPeakThreads(path: .avx2, threads: 0), 0)
        let peak = try XCTUnwrap(EngineBenchmark.fmaPeak(path: .avx2, rounds: 2_000, repeats: 1, threads: 3))
        XCTAssertEqual(peak.threads, 3)
        XCTAssertTrue(peak.gflopsOnThreads > 0 && peak.gflopsOnThreads.isFinite)
        let one = try XCTUnwrap(EngineBenchmark.fmaPeak(path: .avx2, rounds: 2_000, repeats: 1))
        XCTAssertEqual(one.threads, 1)
        XCTAssertEqual(one.gflopsOnThreads, one.gflopsPerCore)
        if !Numerics.hasAVX512 { XCTAssertEqual(EngineBenchmark.concurrentPeakThreads(path: .avx512, threads: 2), 0) }
    }

    func testPeakOfAPathThisCPUCannotRunIsNil() throws {
        try XCTSkipIf(Numerics.hasAVX512, "this CPU runs both paths")
        XCTAssertNil(EngineBenchmark.fmaPeak(path: .avx512, rounds: 10, repeats: 1))
    }

    /// `kymo bench models` measures the peak before and after its cases and divides by the
    /// faster: each rate the larger of the two, only for the same kernel on the same threads.
    func testTheFasterOfTwoMeasurementsIsTakenRateByRate() {
        let before = FMAPeak(path: .avx2, lanes: 8, chains: 12, gflopsPerCore: 103.7, threads: 2, gflopsOnThreads: 136.6)
        let after = FMAPeak(path: .avx2, lanes: 8, chains: 12, gflopsPerCore: 99.0, threads: 2, gflopsOnThreads: 205.1)
        for peak in [before.faster(after), after.faster(before)] {
            XCTAssertEqual(peak.gflopsPerCore, 103.7)
            XCTAssertEqual(peak.gflopsOnThreads, 205.1)
            XCTAssertEqual(peak.threads, 2)
            XCTAssertEqual(peak.path, .avx2)
        }
        let otherThreads = FMAPeak(path: .avx2, lanes: 8, chains: 12, gflopsPerCore: 120, threads: 3, gflopsOnThreads: 300)
        XCTAssertEqual(before.faster(otherThreads).gflopsOnThreads, 136.6, "a measurement on other threads is not mixed in")
        let otherPath = FMAPeak(path: .avx512, lanes: 16, chains: 16, gflopsPerCore: 200, threads: 2, gflopsOnThreads: 400)
        XCTAssertEqual(before.faster(otherPath).gflopsPerCore, 103.7, "nor one of another path")
    }
}
