// ReplayCompare: a recorded run beside a fresh execution of the same record,
// cell by cell, finding EVERY difference and classing each: *numeric* (a
// metric point, a value digest, a printed number, an artifact's bytes, a
// status — with the largest absolute and relative difference and the first
// step where known), *text only* (printed lines whose numbers all agree, such
// as a path), *explained* (a numeric difference after a changed input or a
// numeric part of the environment, named), or an *input* whose bytes differ.
// The verdict: `identical` (nothing differs), `identical numbers` (only text
// or inputs differ, listed), `diverged` (the first numeric divergence named).
// Per category (printed lines, values, metric series, artifacts, inputs,
// cells) it counts what is identical. `ReplayComparer` compares one cell at a
// time as a replay finishes it, so the first difference is known early.
// Timestamps and durations are never compared.
// Deliberately not: running anything (RecordRunner does), tolerances (a
// replay is identical bit for bit or it is not).

import Foundation

/// The answer to "did it reproduce?".
public enum Verdict: String, Codable, Sendable {
    case identical
    /// Only text (or an input's bytes) differs; every number agrees.
    case identicalNumbers = "identical numbers"
    case diverged
}

/// What a difference is about, for the summary.
public enum DifferenceCategory: String, CaseIterable, Codable, Sendable {
    case output = "printed lines"
    case values
    case metrics = "metric series"
    case artifacts
    case inputs
    case cells
}

/// How a difference matters.
public enum DifferenceClass: Equatable, Sendable {
    /// Numbers differ: the largest absolute and relative difference and the
    /// first step (metric steps, or the printed line) where known.
    case numeric(maxAbs: Double?, maxRel: Double?, firstStep: Int?)
    /// Printed text differs but every number in it agrees.
    case textOnly
    /// A numeric difference after a named change of an input or the environment.
    case explained(by: String)
    /// An input's bytes differ (or it is missing, or only one side read it).
    case input

    public var isNumeric: Bool {
        switch self {
        case .numeric, .explained: return true
        case .textOnly, .input: return false
        }
    }

    public var text: String {
        switch self {
        case let .numeric(a, r, step):
            var parts: [String] = []
            if let a { parts.append("largest absolute difference \(ReplayCompare.fmt(a))") }
            if let r { parts.append("largest relative difference \(ReplayCompare.fmt(r))") }
            if let step { parts.append("first at step \(step)") }
            return "numeric" + (parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")")
        case .textOnly: return "text only"
        case .explained(let why): return "explained by \(why)"
        case .input: return "input content"
        }
    }
}

/// One difference, where it is and how it is classed.
public struct FoundDifference: Equatable {
    public var cell: Int?
    public var cellTitle: String?
    public var difference: Difference
    public var category: DifferenceCategory
    public var kind: DifferenceClass

    public var place: String {
        cell.map { "cell \($0) \"\(cellTitle.map { "%% \($0)" } ?? "%% (untitled)")\"" } ?? "the run"
    }

    /// `cell 0 "%% Data": printed output differs at line 1 — text only`.
    public var line: String { "\(place): \(difference.summary) — \(kind.text)" }
}

/// Identical and differing counts of one category.
public struct CategoryCount: Equatable, Codable, Sendable {
    public var identical = 0
    public var differing = 0
    public init(identical: Int = 0, differing: Int = 0) { self.identical = identical; self.differing = differing }
}

/// An input of the record as found (or not) before a replay ran.
public struct InputCheck: Equatable, Sendable {
    public enum State: Equatable, Sendable {
        /// Same bytes, at `path` here.
        case found(path: String)
        /// A file where the record says, with other bytes (their SHA-256).
        case changed(path: String, sha256: String)
        case missing
    }
    public var input: InputRecord
    public var state: State
    /// Where it was looked up and found (`beside the record`, `in the current folder`, …).
    public var place: String?
    public init(input: InputRecord, state: State, place: String? = nil) { self.input = input; self.state = state; self.place = place }

    public var line: String {
        let at = place.map { $0 + " " } ?? ""
        switch state {
        case .found(let p): return "\(input.name): sha256 \(input.sha256.prefix(12))…, found \(at)(\(p))"
        case let .changed(p, sha): return "\(input.name) changed: recorded sha256 \(input.sha256.prefix(12))…, \(at)\(p) has \(sha.prefix(12))…"
        case .missing: return "\(input.name) is missing: recorded \(input.size) bytes, sha256 \(input.sha256.prefix(12))…, not beside the record, in the current folder or the data folder (recorded at \(input.path); --inputs-from DIR or --inputs-at-recorded-paths look elsewhere)"
        }
    }
}

public struct ReplayReport {
    /// Every difference, in cell order.
    public var differences: [FoundDifference] = []
    /// Per category, how many are identical and how many differ.
    public var counts: [DifferenceCategory: CategoryCount] = [:]
    /// Environment parts that changed (recorded → now).
    public var environmentChanges: [EnvironmentFingerprint.Change]
    /// Build parts that changed (version, commit).
    public var buildChanges: [EnvironmentFingerprint.Change]
    /// What was compared, and any limits (an interrupted recording).
    public var notes: [String]
    public var comparedCells: Int
    public var comparedSeries: Int
    public var comparedPoints: Int
    public var comparedArtifacts: Int

    /// The environment parts whose change could alter this record's bits
    /// (`EnvironmentFingerprint.numericParts(for:)`); empty when both sides
    /// run the same numerics version.
    public var numericParts: Set<String>
    /// The numerics version both sides run (`kymo-numerics-2`), when they run
    /// the same one: then any numeric difference is unexplained.
    public var sameNumerics: String?

    public init(environmentChanges: [EnvironmentFingerprint.Change], buildChanges: [EnvironmentFingerprint.Change],
                numericParts: Set<String> = EnvironmentFingerprint.legacyNumericParts) {
        self.environmentChanges = environmentChanges
        self.buildChanges = buildChanges
        self.numericParts = numericParts
        notes = []
        comparedCells = 0; comparedSeries = 0; comparedPoints = 0; comparedArtifacts = 0
    }

    public var verdict: Verdict {
        if differences.isEmpty { return .identical }
        return differences.contains { $0.kind.isNumeric } ? .diverged : .identicalNumbers
    }

    public var isIdentical: Bool { differences.isEmpty }

    /// The first numeric divergence (else the first difference), with what
    /// else differs in its cell.
    public var divergence: Divergence? {
        guard let first = differences.first(where: { $0.kind.isNumeric }) ?? differences.first else { return nil }
        let others = differences.filter { $0.cell == first.cell && $0 != first && first.cell != nil }
        return Divergence(cell: first.cell, cellTitle: first.cellTitle, difference: first.difference,
                          alsoDiffering: others.map { ReplayCompare.brief($0.difference) })
    }

    /// True when a changed part of the environment can change floating-point
    /// results: only for records made before numerics versions (both sides
    /// without one), whose bits followed the BLAS kernel and the CPU.
    public var isDrift: Bool {
        sameNumerics == nil && environmentChanges.contains { numericParts.contains($0.part) }
    }

    /// The first divergence is numeric and nothing explains it, under one numerics version.
    public var isUnexplained: Bool {
        guard sameNumerics != nil, let d = differences.first(where: { $0.kind.isNumeric }) else { return false }
        if case .numeric = d.kind { return true }
        return false
    }

    /// One line: `identical: 4 cells, …` or `diverged at cell 2 …`.
    public var summaryLine: String {
        switch verdict {
        case .identical:
            return "identical: \(comparedCells) cell\(comparedCells == 1 ? "" : "s"), \(comparedSeries) metric series (\(comparedPoints) point\(comparedPoints == 1 ? "" : "s")), \(comparedArtifacts) artifact\(comparedArtifacts == 1 ? "" : "s")"
        case .identicalNumbers:
            return "identical numbers: \(differences.count) text difference\(differences.count == 1 ? "" : "s"), every number agrees"
        case .diverged:
            return divergence.map { $0.headline } ?? "diverged"
        }
    }

    /// The summary per category: `printed lines  12 identical, 1 differs (text only)`.
    public var categoryLines: [String] {
        DifferenceCategory.allCases.compactMap { c in
            let n = counts[c] ?? CategoryCount()
            guard n.identical + n.differing > 0 || c != .cells else { return nil }
            var line = c.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0) + "\(n.identical) identical"
            if n.differing > 0 {
                let kinds = Set(differences.filter { $0.category == c }.map { short($0.kind) }).sorted()
                line += ", \(n.differing) differ" + (kinds.isEmpty ? "" : " (" + kinds.joined(separator: ", ") + ")")
            }
            return line
        }
    }

    private func short(_ k: DifferenceClass) -> String {
        switch k {
        case .numeric: return "numeric"
        case .textOnly: return "text only"
        case .explained: return "explained"
        case .input: return "input content"
        }
    }

    /// The text `kymo replay` prints: the verdict on the first line
    /// (`identical`, `identical numbers` or `diverged at …`), then details,
    /// every difference with its class, and the summary per category.
    public func render() -> String {
        var lines: [String] = []
        switch verdict {
        case .identical:
            lines.append("identical")
            var what = "compared \(comparedCells) cell\(comparedCells == 1 ? "" : "s")"
            what += ", \(comparedSeries) metric series (\(comparedPoints) point\(comparedPoints == 1 ? "" : "s"))"
            what += ", \(comparedArtifacts) artifact\(comparedArtifacts == 1 ? "" : "s")"
            lines.append("  " + what)
        case .identicalNumbers:
            lines.append("identical numbers")
            lines.append("  every number agrees; text differs:")
        case .diverged:
            if let d = divergence {
                lines.append(d.headline)
                if isUnexplained, let n = sameNumerics {
                    lines.append("  same numerics version (\(n)): this should have been identical")
                }
                lines += d.details.map { "  " + $0 }
            }
        }
        if verdict != .identical {
            lines.append("differences (\(differences.count)):")
            for d in differences { lines.append("  " + d.line) }
            for d in differences where verdict == .identicalNumbers && d.category == .output {
                lines += d.difference.details.map { "    " + $0 }
            }
        }
        lines += notes.map { "  note: " + $0 }
        lines.append("summary:")
        lines += categoryLines.map { "  " + $0 }
        if !environmentChanges.isEmpty || !buildChanges.isEmpty {
            lines.append("environment changed since the recording:")
            for c in buildChanges + environmentChanges {
                lines.append("  \(c.part): \(c.recorded) → \(c.now)")
            }
            if let n = sameNumerics {
                lines.append("  both sides run numerics \(n): none of these changes a bit of the results")
            } else if verdict == .diverged && isDrift {
                lines.append("  the record predates numerics versions (its bits followed the BLAS kernel and the CPU):"
                             + " these changes can explain its differences")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

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
        let partial = r.status == .interrupted
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
        // Nothing after an interrupted cell ran on record.
        if partial { stopped = true }
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

public struct Divergence: Equatable {
    /// The cell (nil for the run as a whole: static errors, cell count).
    public var cell: Int?
    public var cellTitle: String?
    public var difference: Difference
    /// Other things that differ in the same cell, briefly.
    public var alsoDiffering: [String]

    public var headline: String {
        let place = cell.map { "cell \($0) \"\(cellTitle.map { "%% \($0)" } ?? "%% (untitled)")\"" } ?? "the run"
        return "diverged at \(place): \(difference.summary)"
    }

    public var details: [String] {
        var out = difference.details
        if !alsoDiffering.isEmpty { out.append("also differs in this cell: " + alsoDiffering.joined(separator: ", ")) }
        return out
    }
}

public enum Difference: Equatable {
    case runErrors(recorded: [String], now: [String])
    case cellMissing(recordedCells: Int, nowCells: Int)
    case status(recorded: CellStatus, now: CellStatus, error: String?)
    case metric(MetricDifference)
    case metricCount(name: String, recorded: Int, now: Int)
    case output(line: Int, recorded: String?, now: String?)
    case value(name: String, recordedType: String?, nowType: String?)
    case artifact(path: String, recordedSHA256: String?, nowSHA256: String?, recordedSize: Int?, nowSize: Int?)
    case input(name: String, recordedSHA256: String?, nowSHA256: String?)
    /// The cell's title (`%% …`) differs from the one the record shows.
    case title(recorded: String?, now: String?)
    /// The error text of a failed or interrupted cell differs.
    case errorText(recorded: String?, now: String?)

    public var summary: String {
        switch self {
        case .title:
            return "the cell's title differs from the recorded one"
        case .errorText:
            return "the cell's error text differs from the recorded one"
        case let .runErrors(r, n):
            return "the notebook's static errors differ (recorded \(r.count), now \(n.count))"
        case let .cellMissing(r, n):
            return "the recording has \(r) cells, the replay \(n)"
        case let .status(r, n, _):
            return "status \(r.rawValue) on record, \(n.rawValue) now"
        case .metric(let m):
            return "metric '\(m.name)' at step \(m.step): recorded \(ExactValues.text(m.recorded)), now \(ExactValues.text(m.now))"
        case let .metricCount(name, r, n):
            return "metric '\(name)': \(r) point\(r == 1 ? "" : "s") logged on record, \(n) now"
        case let .output(line, _, _):
            return "printed output differs at line \(line)"
        case let .value(name, r, n):
            if r == nil { return "value '\(name)' is bound now but not on record" }
            if n == nil { return "value '\(name)' was bound on record but not now" }
            return "value digest of '\(name)' (\(r!)) differs"
        case let .artifact(path, r, n, _, _):
            if r == nil { return "artifact \(path) is written now but not on record" }
            if n == nil { return "artifact \(path) was written on record but not now" }
            return "artifact \(path): bytes differ"
        case let .input(name, r, n):
            if r == nil { return "input \(name) is read now but was not on record" }
            if n == nil { return "input \(name) was read on record but not now" }
            return "input \(name): bytes differ (recorded sha256 \(r!.prefix(12))…, now \(n!.prefix(12))…)"
        }
    }

    public var details: [String] {
        switch self {
        case let .runErrors(r, n):
            return r.map { "recorded: " + $0 } + n.map { "now:      " + $0 }
        case let .status(_, _, error):
            return error.map { ["error now: " + $0] } ?? []
        case .metric(let m):
            var out = ["bits: recorded \(m.recordedBits), now \(m.nowBits)"]
            out.append("largest absolute difference \(fmt(m.maxAbs)) (step \(m.maxAbsStep)),"
                       + " largest relative difference \(fmt(m.maxRel)) (step \(m.maxRelStep));"
                       + " \(m.differing) of \(m.compared) points differ")
            return out
        case let .output(_, r, n):
            return ["recorded: " + (r.map { "\"\($0)\"" } ?? "(no line)"), "now:      " + (n.map { "\"\($0)\"" } ?? "(no line)")]
        case let .title(r, n):
            return ["recorded: " + (r.map { "\"%% \($0)\"" } ?? "(untitled)"), "now:      " + (n.map { "\"%% \($0)\"" } ?? "(untitled)")]
        case let .errorText(r, n):
            return ["recorded: " + (r.map { "\"\($0)\"" } ?? "(no error)"), "now:      " + (n.map { "\"\($0)\"" } ?? "(no error)")]
        case let .artifact(_, r, n, rs, ns):
            guard let r, let n else { return [] }
            return ["recorded: \(rs ?? 0) bytes, sha256 \(r.prefix(16))…", "now:      \(ns ?? 0) bytes, sha256 \(n.prefix(16))…"]
        default:
            return []
        }
    }

    private func fmt(_ x: Double) -> String { ReplayCompare.fmt(x) }
}

public struct MetricDifference: Equatable {
    public var name: String
    /// The step of the first differing point, and its position in the series.
    public var step: Int
    public var index: Int
    public var recorded: Double
    public var now: Double
    public var recordedBits: String
    public var nowBits: String
    /// Over every point both series hold (a NaN against a number counts as infinite).
    public var maxAbs: Double
    public var maxAbsStep: Int
    public var maxRel: Double
    public var maxRelStep: Int
    public var differing: Int
    public var compared: Int
}

public enum ReplayCompare {
    /// Compares `recorded` with `fresh` (a record of re-executing its text):
    /// every cell, then what is left (see `ReplayComparer`).
    public static func compare(recorded: RunRecord, fresh: RunRecord, changedInputs: [InputRecord] = []) -> ReplayReport {
        let c = ReplayComparer(recorded: recorded, environment: fresh.environment, build: fresh.kymo, numerics: fresh.numerics,
                               randomScheme: fresh.randomScheme, changedInputs: changedInputs,
                               seed: fresh.seed, overrides: fresh.overrides)
        for i in recorded.cells.indices where i < fresh.cells.count { c.compare(cell: i, fresh: fresh) }
        return c.finish(fresh: fresh)
    }

    static func fmt(_ x: Double) -> String {
        x.isNaN ? "nan" : x.isInfinite ? "inf" : String(format: "%.3g", x)
    }

    /// Lines equal at the same position, and lines that differ.
    static func lineCounts(_ r: String, _ f: String, prefixOnly: Bool) -> (identical: Int, differing: Int) {
        let a = lines(r), b = lines(f)
        let n = prefixOnly ? a.count : max(a.count, b.count)
        var same = 0
        for i in 0..<min(a.count, b.count) where a[i] == b[i] { same += 1 }
        return (same, n - same)
    }

    static func lines(_ s: String) -> [Substring] {
        var out = s.split(separator: "\n", omittingEmptySubsequences: false)
        if out.last == "" { out.removeLast() }
        return out
    }

    /// The numbers printed in `text`, in order: decimal literals standing
    /// alone (not part of a word such as `mnist_5k` or a hex digest).
    static func numbers(in text: Substring) -> [Double] {
        var out: [Double] = []
        let u = Array(text.utf8)
        func isWord(_ b: UInt8) -> Bool { (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95 || (b >= 48 && b <= 57) }
        func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
        var i = 0
        while i < u.count {
            let startsNumber = isDigit(u[i]) || ((u[i] == 45 || u[i] == 46) && i + 1 < u.count && isDigit(u[i + 1]))
            guard startsNumber, i == 0 || !(isWord(u[i - 1]) || u[i - 1] == 46) else { i += 1; continue }
            var j = i
            if u[j] == 45 { j += 1 }
            while j < u.count && (isDigit(u[j]) || u[j] == 46) { j += 1 }
            if j < u.count && (u[j] == 101 || u[j] == 69), j + 1 < u.count, isDigit(u[j + 1]) || ((u[j + 1] == 45 || u[j + 1] == 43) && j + 2 < u.count && isDigit(u[j + 2])) {
                j += 2
                while j < u.count && isDigit(u[j]) { j += 1 }
            }
            if j < u.count && isWord(u[j]) {   // part of a word: skip the word
                while j < u.count && isWord(u[j]) { j += 1 }
                i = j
                continue
            }
            if let d = Double(String(decoding: u[i..<j], as: UTF8.self)) { out.append(d) }
            i = j
        }
        return out
    }

    /// Nil when every printed number agrees (the outputs differ in text only);
    /// else the largest absolute and relative difference of the numbers.
    static func numberDifference(_ r: String, _ f: String) -> (maxAbs: Double, maxRel: Double)? {
        let a = lines(r), b = lines(f)
        var maxAbs = 0.0, maxRel = 0.0, differs = false
        for i in 0..<max(a.count, b.count) {
            let x = i < a.count ? numbers(in: a[i]) : [], y = i < b.count ? numbers(in: b[i]) : []
            if x.count != y.count { differs = true; maxAbs = .infinity; maxRel = .infinity; continue }
            for (p, q) in zip(x, y) where p.bitPattern != q.bitPattern {
                differs = true
                let d = abs(p - q)
                maxAbs = max(maxAbs, d)
                maxRel = max(maxRel, p == 0 ? .infinity : d / abs(p))
            }
        }
        return differs ? (maxAbs, maxRel) : nil
    }

    /// A record made under another random-stream key scheme draws other
    /// numbers by design: named as a build change, so a divergence says why.
    static func schemeChanges(_ recorded: Int?, _ fresh: Int?) -> [EnvironmentFingerprint.Change] {
        let was = recorded ?? 1, now = fresh ?? 1
        guard was != now else { return [] }
        func name(_ s: Int) -> String { s == 1 ? "1 (streams keyed by call-site text position)" : s == 2 ? "2 (keyed by consumer and call count)" : "\(s)" }
        return [EnvironmentFingerprint.Change(part: "random scheme", recorded: name(was), now: name(now))]
    }

    /// Other engine numerics make other bits by design: named as a build change.
    static func numericsChanges(_ recorded: String?, _ fresh: String?) -> [EnvironmentFingerprint.Change] {
        guard recorded != fresh else { return [] }
        return [EnvironmentFingerprint.Change(part: "numerics", recorded: recorded ?? "(not recorded: bits followed the BLAS kernel and libm)",
                                              now: fresh ?? "(not recorded)")]
    }

    static func buildChanges(_ a: BuildStamp, _ b: BuildStamp) -> [EnvironmentFingerprint.Change] {
        var out: [EnvironmentFingerprint.Change] = []
        if a.version != b.version { out.append(.init(part: "kymo version", recorded: a.version, now: b.version)) }
        if a.commit != b.commit { out.append(.init(part: "kymo commit", recorded: a.commit, now: b.commit)) }
        return out
    }

    static func orderedUnion(_ a: [String], _ b: [String]) -> [String] {
        var out = a
        for x in b where !out.contains(x) { out.append(x) }
        return out
    }

    /// The first point in `range` whose bits differ (steps compared too), with
    /// the largest differences over every point both series hold.
    static func metricDifference(_ r: MetricSeriesRecord, _ f: MetricSeriesRecord, range: Range<Int>) -> MetricDifference? {
        guard let first = range.first(where: { i in
            i >= f.values.count || r.values.bits[i] != f.values.bits[i] || r.values.width != f.values.width || r.steps[i] != f.steps[i]
        }) else { return nil }
        let n = min(r.values.count, f.values.count)
        var maxAbs = 0.0, maxRel = 0.0, absStep = r.steps[first], relStep = r.steps[first], differing = 0
        for i in 0..<n {
            let a = r.values.double(at: i), b = f.values.double(at: i)
            guard r.values.bits[i] != f.values.bits[i] || r.values.width != f.values.width else { continue }
            differing += 1
            var abs = Swift.abs(a - b)
            var rel = a == 0 ? (b == 0 ? 0 : Double.infinity) : abs / Swift.abs(a)
            if a.isNaN != b.isNaN || abs.isNaN { abs = .infinity; rel = .infinity }
            if a.isNaN && b.isNaN { abs = 0; rel = 0 }   // differing NaN payloads
            if abs > maxAbs { maxAbs = abs; absStep = r.steps[i] }
            if rel > maxRel { maxRel = rel; relStep = r.steps[i] }
        }
        let nowValue = first < f.values.count ? f.values.double(at: first) : .nan
        let digits = r.values.width == .f64 ? 16 : 8
        return MetricDifference(
            name: r.name, step: r.steps[first], index: first, recorded: r.values.double(at: first), now: nowValue,
            recordedBits: ExactValues.hex(r.values.bits[first], digits: digits),
            nowBits: first < f.values.count ? ExactValues.hex(f.values.bits[first], digits: f.values.width == .f64 ? 16 : 8) : "(none)",
            maxAbs: maxAbs, maxAbsStep: absStep, maxRel: maxRel, maxRelStep: relStep, differing: differing, compared: n)
    }

    /// The first differing line (1-based); with `prefixOnly`, the fresh output
    /// need only begin with the recorded one (an interrupted cell).
    static func outputDifference(_ r: String, _ f: String, prefixOnly: Bool) -> Difference? {
        if r == f || (prefixOnly && f.hasPrefix(r)) { return nil }
        let a = r.split(separator: "\n", omittingEmptySubsequences: false)
        let b = f.split(separator: "\n", omittingEmptySubsequences: false)
        var i = 0
        while i < a.count && i < b.count && a[i] == b[i] { i += 1 }
        if prefixOnly && i == a.count - 1 && i < b.count && b[i].hasPrefix(a[i]) { return nil }
        return .output(line: i + 1, recorded: i < a.count ? String(a[i]) : nil, now: i < b.count ? String(b[i]) : nil)
    }

    static func valueDifferences(_ r: [ValueDigest], _ f: [ValueDigest]) -> [Difference] {
        var out: [Difference] = []
        for name in orderedUnion(r.map(\.name), f.map(\.name)) {
            let a = r.first { $0.name == name }, b = f.first { $0.name == name }
            if a?.sha256 != b?.sha256 || a?.type != b?.type {
                out.append(.value(name: name, recordedType: a?.type, nowType: b?.type))
            }
        }
        return out
    }

    static func artifactDifferences(_ r: [ArtifactRecord], _ f: [ArtifactRecord]) -> [Difference] {
        var out: [Difference] = []
        for path in orderedUnion(r.map(\.path), f.map(\.path)) {
            let a = r.last { $0.path == path }, b = f.last { $0.path == path }
            if a?.sha256 != b?.sha256 {
                out.append(.artifact(path: path, recordedSHA256: a?.sha256, nowSHA256: b?.sha256,
                                     recordedSize: a?.size, nowSize: b?.size))
            }
        }
        return out
    }

    /// An error text with its `:line:column:` locations blanked: a REPL session
    /// numbers each input's lines from 1, its replay as a notebook does not.
    static func errorWithoutLines(_ text: String) -> String {
        // Every `:<digits>:<digits>:` becomes `:_:_:`.
        func number(_ s: String) -> Bool { !s.isEmpty && s.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }
        var parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        var k = 1
        while k + 2 < parts.count {
            if number(parts[k]) && number(parts[k + 1]) { parts[k] = "_"; parts[k + 1] = "_"; k += 2 } else { k += 1 }
        }
        return parts.joined(separator: ":")
    }

    static func brief(_ d: Difference) -> String {
        switch d {
        case .metric(let m): return "metric '\(m.name)' (step \(m.step))"
        case .metricCount(let name, _, _): return "metric '\(name)' (point count)"
        case .output(let line, _, _): return "printed output (line \(line))"
        case .value(let name, _, _): return "value '\(name)'"
        case .artifact(let path, _, _, _, _): return "artifact \(path)"
        case .status: return "status"
        case .input(let name, _, _): return "input \(name)"
        case .title: return "title"
        case .errorText: return "error text"
        default: return d.summary
        }
    }
}
