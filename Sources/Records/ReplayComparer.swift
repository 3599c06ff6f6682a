// ReplayComparer: compares a recorded run with a fresh execution of the same
// record one cell at a time, as the replay finishes it (so the first
// difference is known early), then what is left (metrics, artifacts, inputs,
// the run as a whole). Timestamps and durations are never compared.
// Deliberately not: running anything (RecordRunner does), tolerances (a
// replay is identical bit for bit or it is not).

import Foundation

/// Compares a recording with its replay one cell at a time, as the replay
/// finishes each (`compare(cell:fresh:)`), then what is left (`finish`).
public final class ReplayComparer {
    public let recorded: RunRecord
    public private(set) var report: ReplayReport
    /// Inputs found changed before the replay ran: numeric differences from
    /// the cell that first read one on are explained by it.
    let changedInputs: [InputRecord]
    /// `--set` keys and the seed where the other side ran with different ones (`kymo runs diff`).
    let changedConfig: [String]
    /// The first cell whose source the other side changed (`kymo replay --notebook FILE`):
    /// differences from there on are explained by the edit.
    public var editedFrom: Int?
    private var prevR: [String: Int] = [:], prevF: [String: Int] = [:]
    private var seriesSeen = Set<String>(), seriesDiffering = Set<String>()
    private var stopped = false
    private var compared = 0

    /// `randomScheme`: the random-stream key scheme the fresh side runs under.
    public init(recorded: RunRecord, environment: EnvironmentFingerprint, build: BuildStamp, numerics: String?, randomScheme: Int?,
                changedInputs: [InputRecord] = [], seed: UInt64? = nil, overrides: [Override]? = nil) {
        self.recorded = recorded
        self.changedInputs = changedInputs
        var config: [String] = []
        if let seed, seed != recorded.seed { config.append("seed") }
        if let overrides {
            for key in ReplayCompare.orderedUnion(recorded.overrides.map(\.key), overrides.map(\.key))
            where recorded.overrides.last(where: { $0.key == key })?.value != overrides.last(where: { $0.key == key })?.value {
                config.append("--set \(key)")
            }
        }
        changedConfig = config
        report = ReplayReport(environmentChanges: recorded.environment.changes(to: environment),
                              buildChanges: ReplayCompare.buildChanges(recorded.kymo, build)
                                + ReplayCompare.numericsChanges(recorded.numerics, numerics)
                                + ReplayCompare.schemeChanges(recorded.randomScheme, randomScheme),
                              numericParts: EnvironmentFingerprint.numericParts(for: recorded))
        // A record with a numerics version: only that version decides its bits (docs/engine.md),
        // so no part of the environment explains a difference; the same version on both sides
        // leaves nothing to explain one.
        if recorded.numerics != nil {
            report.numericParts = []
            // OpenBLAS is linked but computes no result under a numerics version: not listed as a change.
            report.environmentChanges.removeAll { $0.part.hasPrefix("blas") || $0.part == "OPENBLAS_CORETYPE" }
        }
        if let n = numerics, n == recorded.numerics { report.sameNumerics = n }
        if recorded.status == .interrupted || recorded.status == .running {
            report.notes.append("the recording was \(recorded.status.rawValue): compared the \(recorded.cells.count) cell\(recorded.cells.count == 1 ? "" : "s") it finished and the metric points it saved")
        }
    }

    /// How a numeric difference in `cell` is classed: explained only by what
    /// really changes bits — an input it could depend on, a `--set` or seed,
    /// another numerics version or random scheme (and, for a record made
    /// before numerics versions, a numeric part of the environment). Never by
    /// a commit, a compiler or a BLAS kernel under one numerics version.
    func numeric(_ cell: Int?, maxAbs: Double? = nil, maxRel: Double? = nil, step: Int? = nil) -> DifferenceClass {
        if let c = changedInputs.first(where: { cell == nil || $0.cell <= cell! }) {
            return .explained(by: "the changed input \(c.name)")
        }
        if !changedConfig.isEmpty { return .explained(by: "the changed " + changedConfig.joined(separator: ", ")) }
        if let e = editedFrom, cell.map({ $0 >= e }) ?? true { return .explained(by: "the edited notebook text (cell \(e) on)") }
        let env = report.buildChanges.filter { $0.part == "numerics" || $0.part == "random scheme" }
            + report.environmentChanges.filter { report.numericParts.contains($0.part) }
        // The values are listed under "environment changed since the recording".
        if !env.isEmpty { return .explained(by: "the changed " + env.map(\.part).joined(separator: ", ")) }
        return .numeric(maxAbs: maxAbs, maxRel: maxRel, firstStep: step)
    }

    private func add(_ d: Difference, cell: Int?, title: String?, _ category: DifferenceCategory, _ kind: DifferenceClass) -> FoundDifference {
        let f = FoundDifference(cell: cell, cellTitle: title, difference: d, category: category, kind: kind)
        report.differences.append(f)
        report.counts[category, default: CategoryCount()].differing += 1
        return f
    }

    private func same(_ category: DifferenceCategory, _ n: Int = 1) {
        report.counts[category, default: CategoryCount()].identical += n
    }

    /// Compares recorded cell `i` with the fresh record so far (which holds
    /// cell `i`); returns the differences found in it.
    @discardableResult
    public func compare(cell i: Int, fresh: RunRecord) -> [FoundDifference] {
        guard !stopped, i < recorded.cells.count, i < fresh.cells.count else { return [] }
        let before = report.differences.count
        let r = recorded.cells[i], f = fresh.cells[i]
        // An interrupted cell is compared as far as it got, unless the replay
        // stopped it where it stopped (an interrupted `train`): then in full.
        let partial = r.status == .interrupted && f.status != .interrupted
        if !partial && r.status != f.status {
            _ = add(.status(recorded: r.status, now: f.status, error: f.error), cell: i, title: r.title, .cells, numeric(i))
        } else {
            same(.cells)
        }
        // The title a reader sees and the error text a record shows are compared too (as text).
        if r.title != f.title {
            _ = add(.title(recorded: r.title, now: f.title), cell: i, title: r.title, .output, .textOnly)
        }
        if !partial && r.error.map(ReplayCompare.errorWithoutLines) != f.error.map(ReplayCompare.errorWithoutLines) {
            _ = add(.errorText(recorded: r.error, now: f.error), cell: i, title: r.title, .output, .textOnly)
        }
        // Metric points logged in this cell.
        let countsR = Dictionary(r.metricCounts.map { ($0.name, $0.count) }, uniquingKeysWith: { $1 })
        let countsF = Dictionary(f.metricCounts.map { ($0.name, $0.count) }, uniquingKeysWith: { $1 })
        for name in ReplayCompare.orderedUnion(r.metricCounts.map(\.name), f.metricCounts.map(\.name)) {
            let lo = prevR[name] ?? 0, hiR = countsR[name] ?? lo
            let loF = prevF[name] ?? 0, hiF = countsF[name] ?? loF
            let nR = hiR - lo, nF = hiF - loF
            if nR == 0 && nF == 0 { continue }
            seriesSeen.insert(name)
            let sR = recorded.series(named: name), sF = fresh.series(named: name)
            if partial ? nF < nR : nF != nR || lo != loF {
                seriesDiffering.insert(name)
                _ = add(.metricCount(name: name, recorded: nR, now: nF), cell: i, title: r.title, .metrics, numeric(i))
                continue
            }
            if let sR, let sF, hiR <= sR.values.count, hiR <= sF.values.count,
               let m = ReplayCompare.metricDifference(sR, sF, range: lo..<hiR) {
                seriesDiffering.insert(name)
                _ = add(.metric(m), cell: i, title: r.title, .metrics, numeric(i, maxAbs: m.maxAbs, maxRel: m.maxRel, step: m.step))
            }
            report.comparedPoints += nR
        }
        prevR = countsR.merging(prevR) { mine, _ in mine }
        prevF = countsF.merging(prevF) { mine, _ in mine }
        // Printed lines.
        let lines = ReplayCompare.lineCounts(r.output, f.output, prefixOnly: partial)
        same(.output, lines.identical)
        if let o = ReplayCompare.outputDifference(r.output, f.output, prefixOnly: partial) {
            report.counts[.output, default: CategoryCount()].differing += max(1, lines.differing) - 1
            let n = ReplayCompare.numberDifference(r.output, f.output)
            _ = add(o, cell: i, title: r.title, .output,
                    n.map { numeric(i, maxAbs: $0.maxAbs, maxRel: $0.maxRel, step: nil) } ?? .textOnly)
        }
        if !partial {
            for name in ReplayCompare.orderedUnion(r.values.map(\.name), f.values.map(\.name)) {
                let a = r.values.first { $0.name == name }, b = f.values.first { $0.name == name }
                if a?.sha256 != b?.sha256 || a?.type != b?.type {
                    // Format 1 digested a dataset by its printed form, which held the data file's folder.
                    let legacy = recorded.format < 2 && a?.type == b?.type && (a?.type == "dataset" || a?.type == "record")
                    _ = add(.value(name: name, recordedType: a?.type, nowType: b?.type), cell: i, title: r.title, .values,
                            legacy ? .explained(by: "format 1's dataset digests (by printed path, not content), if it holds a dataset; re-record it")
                                   : numeric(i))
                } else {
                    same(.values)
                }
            }
            let artsR = recorded.artifacts.filter { $0.cell == i }, artsF = fresh.artifacts.filter { $0.cell == i }
            for d in ReplayCompare.artifactDifferences(artsR, artsF) { _ = add(d, cell: i, title: r.title, .artifacts, numeric(i)) }
            same(.artifacts, ReplayCompare.orderedUnion(artsR.map(\.path), artsF.map(\.path)).count
                 - ReplayCompare.artifactDifferences(artsR, artsF).count)
            report.comparedArtifacts += artsR.count
        }
        report.comparedCells += 1
        compared = i + 1
        // Nothing after an interrupted cell ran on record (a REPL session went on).
        if r.status == .interrupted && (partial || recorded.kind != .repl) { stopped = true }
        return Array(report.differences[before...])
    }

    /// Compares what is left once the replay ended: cells it did not reach,
    /// points the recording saved after its last finished cell, the inputs.
    /// `stoppedEarly`: the replay stopped on purpose (`--fail-fast`).
    public func finish(fresh: RunRecord, stoppedEarly: Bool = false) -> ReplayReport {
        if recorded.errors != fresh.errors {
            report.differences.insert(FoundDifference(cell: nil, cellTitle: nil, difference: .runErrors(recorded: recorded.errors, now: fresh.errors),
                                                      category: .cells, kind: numeric(nil)), at: 0)
            report.counts[.cells, default: CategoryCount()].differing += 1
        }
        for i in compared..<max(compared, min(recorded.cells.count, fresh.cells.count)) where !stopped { compare(cell: i, fresh: fresh) }
        if stoppedEarly {
            report.notes.append("stopped at the first difference (--fail-fast): \(fresh.cells.count) of \(recorded.cells.count) cells replayed")
        } else if !stopped {
            if fresh.cells.count < recorded.cells.count {
                let i = fresh.cells.count
                _ = add(.cellMissing(recordedCells: recorded.cells.count, nowCells: fresh.cells.count), cell: i,
                        title: recorded.cells[i].title, .cells, numeric(i))
            } else if (recorded.status == .complete || recorded.status == .failed) && fresh.cells.count > recorded.cells.count {
                _ = add(.cellMissing(recordedCells: recorded.cells.count, nowCells: fresh.cells.count), cell: nil, title: nil, .cells, numeric(nil))
            }
            // Points the recording saved after its last finished cell (checkpoints of
            // the cell that was running when it stopped) must begin the fresh series.
            let last = recorded.cells.count
            for sR in recorded.metrics {
                let lo = prevR[sR.name] ?? 0
                guard sR.values.count > lo else { continue }
                seriesSeen.insert(sR.name)
                let title = last < fresh.cells.count ? fresh.cells[last].title : nil
                guard let sF = fresh.series(named: sR.name), sF.values.count >= sR.values.count else {
                    seriesDiffering.insert(sR.name)
                    _ = add(.metricCount(name: sR.name, recorded: sR.values.count - lo,
                                         now: max(0, (fresh.series(named: sR.name)?.values.count ?? 0) - lo)),
                            cell: last, title: title, .metrics, numeric(last))
                    continue
                }
                if let m = ReplayCompare.metricDifference(sR, sF, range: lo..<sR.values.count) {
                    seriesDiffering.insert(sR.name)
                    _ = add(.metric(m), cell: last, title: title, .metrics, numeric(last, maxAbs: m.maxAbs, maxRel: m.maxRel, step: m.step))
                    continue
                }
                report.comparedPoints += sR.values.count - lo
            }
        }
        report.comparedSeries = seriesSeen.count
        report.counts[.metrics] = CategoryCount(identical: seriesSeen.subtracting(seriesDiffering).count,
                                                differing: report.differences.filter { $0.category == .metrics }.count)
        // Inputs: the same bytes read in the same order (where they lie is not compared).
        if let all = recorded.inputs {
            // A notebook `:load`ed in the REPL is in the record's text; a replay does not read it.
            let inR = all.filter { $0.kind != "notebook" }
            let inF = (fresh.inputs ?? []).filter { $0.kind != "notebook" }
            for k in 0..<max(inR.count, inF.count) {
                let a = k < inR.count ? inR[k] : nil, b = k < inF.count ? inF[k] : nil
                if let a, let b, a.sha256 == b.sha256, a.kind == b.kind { same(.inputs); continue }
                if stoppedEarly && b == nil { continue }
                _ = add(.input(name: a?.name ?? b!.name, recordedSHA256: a?.sha256, nowSHA256: b?.sha256),
                        cell: a?.cell ?? b?.cell, title: (a?.cell ?? b?.cell).flatMap { c in recorded.cells.first { $0.index == c }?.title },
                        .inputs, .input)
            }
        } else {
            report.notes.append("a format-1 record: it does not list the files it read, so inputs are not compared")
        }
        report.differences.sort { ($0.cell ?? -1) < ($1.cell ?? -1) }
        return report
    }
}
