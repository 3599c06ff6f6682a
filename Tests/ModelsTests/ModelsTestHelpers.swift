// Shared helpers of the Models tests: where the goldens live (found through
// #filePath, so no bundle resources are needed), reading a golden case's
// config, and the per-tensor comparison the goldens call for
// (max |error| ≤ tol · max |golden|).
import Foundation
import XCTest
import TensorEngine
import TestSupport
@testable import Models

enum Goldens {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Goldens").path

    static func path(_ name: String) -> String { directory + "/" + name }

    static func read(_ name: String) throws -> SafetensorsFile {
        try Safetensors.read(path: path(name))
    }

    /// The ModelConfig of a golden case, from its file metadata.
    static func config(of file: SafetensorsFile) throws -> ModelConfig {
        let json = try XCTUnwrap(file.metadata["config"], "golden has no config metadata")
        let obj = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        func int(_ k: String, _ d: Int) -> Int { (obj[k] as? NSNumber)?.intValue ?? d }
        let family = try XCTUnwrap(ModelFamily(rawValue: obj["family"] as? String ?? ""))
        let mode = try XCTUnwrap(AssemblyMode(rawValue: obj["mode"] as? String ?? ""))
        return ModelConfig(family: family, mode: mode, layers: int("layers", 0), hidden: int("hidden", 0),
                           kernel: int("kernel", 0), size: int("size", 0), channels: int("channels", 0),
                           patch: int("patch", 1), framesIn: int("frames_in", 0), framesOut: int("frames_out", 1),
                           activation: try ModelConfig.activation(named: obj["activation"] as? String ?? ""),
                           attentionHidden: int("attention_hidden", 1))
    }
}

/// Asserts max |a − b| ≤ tol · max |b| (the goldens' own error measure).
func assertRelativeClose(_ a: Tensor, _ b: Tensor, tol: Double, _ what: String,
                         file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "\(what): sizes", file: file, line: line)
    guard a.count == b.count else { return }
    let x = a.toArray(), y = b.toArray()
    var err = 0.0, scale = 0.0
    for i in 0..<x.count {
        err = max(err, abs(Double(x[i]) - Double(y[i])))
        scale = max(scale, abs(Double(y[i])))
        if x[i].isNaN { err = .infinity }
    }
    XCTAssert(err <= tol * max(scale, 1e-30), "\(what): max error \(err) over max |golden| \(scale) = \(err / max(scale, 1e-30)) > \(tol)",
              file: file, line: line)
}

/// Bitwise equality of two tensors' values.
func sameBits(_ a: Tensor, _ b: Tensor) -> Bool {
    a.shape == b.shape && zip(a.toArray(), b.toArray()).allSatisfy { $0.bitPattern == $1.bitPattern }
}

/// A fresh folder for one test, removed when the test process exits (ScratchFolders).
func temporaryDirectory(_ name: String) throws -> String {
    ScratchFolders.make("models-tests-" + name)
}
