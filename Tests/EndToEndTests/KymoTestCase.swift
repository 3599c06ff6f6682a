// KymoTestCase: the base of the end-to-end test classes that drive the built
// `kymo` in a scratch folder of their own. setUp finds the binary
// (KymoBinary.require: a missing one skips, or fails in CI) and makes `dir`,
// a fresh folder per test; tearDown removes it (a failed test's folder is
// kept, to look at). `kymo(args)` runs the binary there to its end; a class
// whose runs belong elsewhere sets `workFolder` and `kymoEnvironment` in its
// setUp.

import Foundation
import XCTest
import TestSupport

class KymoTestCase: XCTestCase {
    /// The `kymo` executable under test.
    var binary: String!
    /// This test's scratch folder.
    var dir: String!
    /// Where `kymo(args)` runs when not told: `dir` unless set.
    var workFolder: String?
    /// Variables every `kymo(args)` call adds to this process's environment.
    var kymoEnvironment: [String: String] = [:]

    override func setUpWithError() throws {
        try super.setUpWithError()
        binary = try KymoBinary.require()
        dir = RecordFixtures.scratch(name)
    }

    override func tearDown() {
        if let dir, (testRun?.totalFailureCount ?? 0) == 0 { try? FileManager.default.removeItem(atPath: dir) }
        super.tearDown()
    }

    /// Runs `kymo args` in `folder` (else `workFolder`, else `dir`) to its end,
    /// with `kymoEnvironment` and `environment` added to the environment.
    @discardableResult
    func kymo(_ args: [String], in folder: String? = nil, environment: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
        try KymoBinary.execute(binary, args, in: folder ?? workFolder ?? dir, environment: kymoEnvironment.merging(environment) { $1 })
    }
}
