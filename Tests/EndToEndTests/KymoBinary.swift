// KymoBinary: the `kymo` executable these tests drive. This target depends on
// the `kymo` product, so `swift build --build-tests` builds it next to the
// test bundle; KYMO_BIN names another one. A missing binary or tool fails the
// test when CI=true (a CI run must never pass by skipping) and skips it
// otherwise, saying what is missing.

import Foundation
import XCTest
import TestSupport

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
    static func missing(_ what: String) -> Error { missingInCI(what) }

    /// The folders kymo finds the 5,000 MNIST digits in (`kymo data fetch`):
    /// the repository's data/, then the user data folder ($KYMO_DATA,
    /// $XDG_DATA_HOME/kymo, ~/.local/share/kymo).
    static var digitsFolders: [String] {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let env = ProcessInfo.processInfo.environment
        let home = env["HOME"] ?? NSHomeDirectory()
        return [repo + "/data", env["KYMO_DATA"], env["XDG_DATA_HOME"].map { $0 + "/kymo" }, home + "/.local/share/kymo"].compactMap { $0 }
    }

    /// The first of `digitsFolders` that holds mnist_5k.csv.gz, if any.
    static var digitsFolderIfPresent: String? {
        digitsFolders.first { FileManager.default.fileExists(atPath: $0 + "/mnist_5k.csv.gz") }
    }

    /// The folder holding the digits, or the error `missing` gives.
    static func digitsFolder() throws -> String {
        guard let found = digitsFolderIfPresent else {
            throw missing("no mnist_5k.csv.gz in \(digitsFolders.joined(separator: ", ")) (run kymo data fetch)")
        }
        return found
    }

    /// The binary, or the error `missing` gives.
    static func require() throws -> String {
        guard let path else { throw missing("no built kymo binary next to the tests or in .build; build it or set KYMO_BIN") }
        return path
    }

    /// Runs `exe` with `args` in `dir` (the environment plus `environment`)
    /// to its end; standard output and error go through files, so neither can
    /// fill a pipe and stall the child. The one way these tests run a process
    /// to completion.
    static func execute(_ exe: String, _ args: [String], in dir: String, environment: [String: String] = [:]) throws
        -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let scratch = NSTemporaryDirectory()
        let outURL = URL(fileURLWithPath: scratch + "/kymo-out-\(UUID().uuidString)")
        let errURL = URL(fileURLWithPath: scratch + "/kymo-err-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outURL); try? FileManager.default.removeItem(at: errURL) }
        p.standardOutput = try FileHandle(forWritingTo: outURL)
        p.standardError = try FileHandle(forWritingTo: errURL)
        try p.run()
        p.waitUntilExit()
        return (p.terminationStatus, (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }

    /// The processes whose parent is `pid` (from /proc).
    static func children(of pid: Int32) -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { Int32($0) }.filter { child in
            guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == pid
        }
    }
}
