// HoldFolder: the test side of StepHold (Sources/Notebook/Recording/StepHold.swift).
// A job started with `environment` stops at the announced point and writes
// one file per held process (its pid, holding "rank R step S" or "cells K");
// the test waits for those files instead of polling records or timing, then
// kills the held processes or releases them (removes their file).

import Foundation
import XCTest

struct HoldFolder {
    let path: String
    let variables: [String: String]

    /// Held at training step `atStep` (its checkpoint recorded) or after `afterCells` recorded cells.
    init(_ path: String, atStep: Int? = nil, afterCells: Int? = nil) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        self.path = path
        var v = ["KYMO_HOLD_DIR": path]
        if let atStep { v["KYMO_HOLD_AT_STEP"] = "\(atStep)" }
        if let afterCells { v["KYMO_HOLD_AFTER_CELLS"] = "\(afterCells)" }
        variables = v
    }

    /// This process's environment plus the hold's variables.
    var environment: [String: String] {
        ProcessInfo.processInfo.environment.merging(variables) { $1 }
    }

    /// The processes holding now: pid → what they announced.
    func held() -> [Int32: String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        var result: [Int32: String] = [:]
        for name in names {
            guard let pid = Int32(name), let text = try? String(contentsOfFile: path + "/" + name, encoding: .utf8) else { continue }
            result[pid] = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return result
    }

    /// Waits until `count` processes other than `excluding` hold, while
    /// `alive` is true. The ten-minute bound only keeps a broken job from
    /// hanging the suite; no outcome depends on how fast the job is.
    func wait(for count: Int, excluding: Set<Int32> = [], while alive: () -> Bool) -> [Int32: String] {
        var now: [Int32: String] = [:]
        _ = HoldFolder.until { now = held().filter { !excluding.contains($0.key) }; return now.count >= count || !alive() }
        return now
    }

    /// Polls `done` until it is true (or ten minutes pass: a hang guard only); whether it became true.
    static func until(_ done: () throws -> Bool) rethrows -> Bool {
        let bound = Date().addingTimeInterval(600)
        while Date() < bound {
            if try done() { return true }
            usleep(5_000)
        }
        return try done()
    }

    /// Lets a held process go on.
    func release(_ pid: Int32) {
        try? FileManager.default.removeItem(atPath: path + "/\(pid)")
    }
}
