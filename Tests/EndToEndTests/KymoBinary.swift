// KymoBinary: the `kymo` executable these tests drive. This target depends on
// the `kymo` product, so `swift build --build-tests` builds it next to the
// test bundle; KYMO_BIN names another one. A missing binary or tool fails the
// test when CI=true (a CI run must never pass by skipping) and skips it
// otherwise, saying what is missing.

import Foundation
import XCTest

enum KymoBinary {
    static var path: String? {
        if let env = ProcessInfo.processInfo.environment["KYMO_BIN"], !env.isEmpty { return env }
        let bundle = URL(fileURLWithPath: CommandLine.arguments.first { $0.hasSuffix(".xctest") } ?? CommandLine.arguments[0])
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let candidates = [bundle.deletingLastPathComponent().appendingPathComponent("kymo").path,
                          root + "/.build/debug/kymo", root + "/.build/release/kymo"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static var inCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// Something a test needs is missing: an error in CI, a skip elsewhere.
    static func missing(_ what: String) -> Error {
        if inCI { return MissingInCI(what: what) }
        return XCTSkip(what)
    }

    /// The binary, or the error `missing` gives.
    static func require() throws -> String {
        guard let path else { throw missing("no built kymo binary next to the tests or in .build; build it or set KYMO_BIN") }
        return path
    }

    struct MissingInCI: Error, CustomStringConvertible {
        var what: String
        var description: String { "CI=true and \(what)" }
    }
}
