// StepHold: a hook for the end-to-end tests that stop a job part-way, so that
// "mid-training" is a state the job announces rather than a moment a test
// guesses. KYMO_HOLD_DIR=<folder> with KYMO_HOLD_AT_STEP=<n> holds a
// training call at its first step ≥ n (a recorded call checkpoints that step
// first, whatever its checkpoint clock says); with KYMO_HOLD_AFTER_CELLS=<k> it
// holds a recorded run once its first k cells are recorded. Holding writes
// the file <folder>/<pid> ("rank R step S" or "cells K") and waits there
// until that file is removed or the run is interrupted (Ctrl-C, a sweep
// passing one on). The test waits for the file, then kills or releases the
// process: nothing runs past the point, or finishes, before the test acts.
// Without the variables it does nothing. Deliberately not: anything a
// notebook can see or a record keeps.

import Foundation

struct StepHold {
    let folder: String
    let atStep: Int?
    let afterCells: Int?
    /// Once per training call (or run).
    private(set) var held = false

    init?(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let folder = environment["KYMO_HOLD_DIR"], !folder.isEmpty else { return nil }
        func positive(_ name: String) -> Int? { environment[name].flatMap { Int($0) }.flatMap { $0 >= 1 ? $0 : nil } }
        atStep = positive("KYMO_HOLD_AT_STEP")
        afterCells = positive("KYMO_HOLD_AFTER_CELLS")
        guard atStep != nil || afterCells != nil else { return nil }
        self.folder = folder
    }

    /// A training call finished `step` (its checkpoint, if due, recorded).
    mutating func reached(step: Int, rank: Int, shouldStop: () -> Bool) {
        guard let atStep, step >= atStep else { return }
        hold("rank \(rank) step \(step)", shouldStop)
    }

    /// Whether a recorded training call should checkpoint `step` because it will hold there.
    func wants(step: Int) -> Bool { !held && atStep.map { step >= $0 } == true }

    /// A recorded run has recorded `cells` cells.
    mutating func recorded(cells: Int, shouldStop: () -> Bool) {
        guard let afterCells, cells == afterCells else { return }
        hold("cells \(cells)", shouldStop)
    }

    private mutating func hold(_ what: String, _ shouldStop: () -> Bool) {
        guard !held else { return }
        held = true
        let pid = getpid()
        let file = folder + "/\(pid)"
        let scratch = folder + "/.\(pid).tmp"
        guard FileManager.default.createFile(atPath: scratch, contents: Data((what + "\n").utf8)),
              rename(scratch, file) == 0 else { return }
        while FileManager.default.fileExists(atPath: file) && !shouldStop() {
            usleep(2_000)
        }
    }
}
