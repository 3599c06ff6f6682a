// Metrics against scikit-image / NumPy values (reference/gen_metric_goldens.py):
// per-frame MSE, MAE (sums over pixels), PSNR, SSIM, their means, and one
// 64×64 pair with its full SSIM map.
import XCTest
import TensorEngine
import TestSupport
@testable import Models

final class MetricsTests: XCTestCase {
    func testPerFrameMetricsMatchGoldens() throws {
        let g = try Goldens.read("metrics.safetensors")
        let pred = try XCTUnwrap(g["pred"]), truth = try XCTUnwrap(g["true"])         // [2, 3, 16, 16]
        let p5 = try pred.reshaped([2, 3, 1, 16, 16]), t5 = try truth.reshaped([2, 3, 1, 16, 16])
        let frames = try Metrics.perFrame(prediction: p5, truth: t5)
        let mse = try XCTUnwrap(g["mse"]).toArray(), mae = try XCTUnwrap(g["mae"]).toArray()
        let ssim = try XCTUnwrap(g["ssim"]).toArray(), psnr = try XCTUnwrap(g["psnr"]).toArray()
        for s in 0..<2 {
            for t in 0..<3 {
                let m = frames[s][t], i = s * 3 + t
                XCTAssertEqual(m.mse, Double(mse[i]), accuracy: 1e-5 * Double(mse[i]), "mse \(s),\(t)")
                XCTAssertEqual(m.mae, Double(mae[i]), accuracy: 1e-5 * Double(mae[i]), "mae \(s),\(t)")
                XCTAssertEqual(m.ssim, Double(ssim[i]), accuracy: 1e-6, "ssim \(s),\(t)")
                XCTAssertEqual(m.psnr, Double(psnr[i]), accuracy: 1e-5, "psnr \(s),\(t)")
            }
        }
        let report = MetricReport(frames)
        XCTAssertEqual(report.sequences, 2)
        XCTAssertEqual(report.mseCurve.count, 3)
        XCTAssertEqual(report.mse, Double(try XCTUnwrap(g["mean.mse"]).item()), accuracy: 1e-4)
        XCTAssertEqual(report.mae, Double(try XCTUnwrap(g["mean.mae"]).item()), accuracy: 1e-4)
        XCTAssertEqual(report.ssim, Double(try XCTUnwrap(g["mean.ssim"]).item()), accuracy: 1e-6)
        XCTAssertEqual(report.psnr, Double(try XCTUnwrap(g["mean.psnr"]).item()), accuracy: 1e-5)
        // the error grows with the frame index in these goldens, and the curve shows it
        XCTAssertLessThan(report.mseCurve[0], report.mseCurve[2])
        XCTAssertGreaterThan(report.ssimCurve[0], report.ssimCurve[2])
    }

    func testLargeFrameAndFullSSIMMap() throws {
        let g = try Goldens.read("metrics.safetensors")
        let p = try XCTUnwrap(g["pred64"]).toArray().map(Double.init), t = try XCTUnwrap(g["true64"]).toArray().map(Double.init)
        let map = Metrics.ssimMap(prediction: p, truth: t, height: 64, width: 64)
        let golden = try XCTUnwrap(g["ssim_map64"]).toArray()
        var worst = 0.0
        for i in 0..<map.count { worst = max(worst, abs(map[i] - Double(golden[i]))) }
        XCTAssertLessThan(worst, 1e-6, "SSIM map (borders by half-sample reflection)")
        let pt = try XCTUnwrap(g["pred64"]), tt = try XCTUnwrap(g["true64"])
        let m = pt.withContiguousData { pp in
            tt.withContiguousData { tp in Metrics.frame(prediction: pp.baseAddress!, truth: tp.baseAddress!, channels: 1, height: 64, width: 64) }
        }
        XCTAssertEqual(m.ssim, Double(try XCTUnwrap(g["ssim64"]).item()), accuracy: 1e-6)
        XCTAssertEqual(m.mse, Double(try XCTUnwrap(g["mse64"]).item()), accuracy: 1e-5 * m.mse)
        XCTAssertEqual(m.mae, Double(try XCTUnwrap(g["mae64"]).item()), accuracy: 1e-5 * m.mae)
        XCTAssertEqual(m.psnr, Double(try XCTUnwrap(g["psnr64"]).item()), accuracy: 1e-5)
    }

    func testIdenticalFramesAndShapeErrors() throws {
        let x = randomTensor([1, 2, 1, 12, 12], "same", low: 0, high: 1)
        let m = try Metrics.perFrame(prediction: x, truth: x)
        XCTAssertEqual(m[0][0].mse, 0)
        XCTAssertEqual(m[0][1].ssim, 1, accuracy: 1e-12)
        XCTAssertEqual(m[0][0].psnr, Double.infinity)
        XCTAssertThrowsError(try Metrics.perFrame(prediction: x, truth: randomTensor([1, 2, 1, 12, 11], "other"))) { e in
            XCTAssertTrue("\(e)".contains("[1, 2, 1, 12, 11]"), "\(e)")
        }
    }
}
