// Subprocess: run a helper program and keep its standard output — for the
// build commit (git) in run records and for the PyTorch side of `kymo bench`.
// Deliberately not: a shell, pipelines, or capturing standard error.

import Foundation

/// Runs `executable` with `arguments` (and `environment`, when given) and
/// returns its standard output if it exits with status 0; nil otherwise.
public func captureOutput(of executable: String, _ arguments: [String], environment: [String: String]? = nil) -> String? {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    if let environment { p.environment = environment }
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    do { try p.run() } catch { return nil }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { return nil }
    return String(decoding: data, as: UTF8.self)
}
