// ReplayCompare: a recorded run beside a fresh execution of the same record,
// cell by cell, naming the FIRST divergence — the cell (index and title) and
// what differs: its status, a metric point logged in it (name, step, both
// values, and the largest absolute and relative difference over the series),
// its printed output (first differing line), a value it bound (by name), an
// artifact it wrote (bytes). Timestamps and durations are never compared.
// Environment and build differences are listed beside the verdict; a changed
// BLAS kernel (or CPU, library, compiler) makes a divergence drift, not proof.
// Deliberately not: running anything (RecordRunner does), tolerances (a
// replay is identical bit for bit or it is not).

import Foundation

public struct ReplayReport {
    public var divergence: Divergence?
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

    public var isIdentical: Bool { divergence == nil }

    /// True when a changed part of the environment or build can change floating-point results.
    public var isDrift: Bool {
        !buildChanges.isEmpty || environmentChanges.contains { EnvironmentFingerprint.numericParts.contains($0.part) }
    }

    /// The text `kymo replay` prints: `identical` or the divergence first.
    public func render() -> String {
        var lines: [String] = []
        if let d = divergence {
            lines.append(d.headline)
            lines += d.details.map { "  " + $0 }
        } else {
            lines.append("identical")
            var what = "compared \(comparedCells) cell\(comparedCells == 1 ? "" : "s")"
            what += ", \(comparedSeries) metric series (\(comparedPoints) point\(comparedPoints == 1 ? "" : "s"))"
            what += ", \(comparedArtifacts) artifact\(comparedArtifacts == 1 ? "" : "s")"
            lines.append("  " + what)
        }
        lines += notes.map { "  note: " + $0 }
        if !environmentChanges.isEmpty || !buildChanges.isEmpty {
            lines.append("environment changed since the recording:")
            for c in buildChanges + environmentChanges {
                lines.append("  \(c.part): \(c.recorded) → \(c.now)")
            }
            if divergence != nil {
                if environmentChanges.contains(where: { $0.part == "blas kernel" }) {
                    lines.append("  the BLAS kernel differs, and kernels round differently: this divergence is drift,"
                                 + " not proof that the run is not reproducible (OPENBLAS_CORETYPE can pin the kernel)")
                } else if isDrift {
                    lines.append("  these changes can alter floating-point results: this divergence may be drift,"
                                 + " not proof that the run is not reproducible")
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
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

    public var summary: String {
        switch self {
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
        case let .artifact(_, r, n, rs, ns):
            guard let r, let n else { return [] }
            return ["recorded: \(rs ?? 0) bytes, sha256 \(r.prefix(16))…", "now:      \(ns ?? 0) bytes, sha256 \(n.prefix(16))…"]
        default:
            return []
        }
    }

    private func fmt(_ x: Double) -> String {
        x.isNaN ? "nan" : x.isInfinite ? "inf" : String(format: "%.3g", x)
    }
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
    /// Compares `recorded` with `fresh` (a record of re-executing its text).
    public static func compare(recorded: RunRecord, fresh: RunRecord) -> ReplayReport {
        var report = ReplayReport(divergence: nil, environmentChanges: recorded.environment.changes(to: fresh.environment),
                                  buildChanges: buildChanges(recorded.kymo, fresh.kymo) + schemeChanges(recorded, fresh), notes: [],
                                  comparedCells: 0, comparedSeries: 0, comparedPoints: 0, comparedArtifacts: 0)
        if recorded.status == .interrupted || recorded.status == .running {
            report.notes.append("the recording was \(recorded.status.rawValue): compared the \(recorded.cells.count) cell\(recorded.cells.count == 1 ? "" : "s") it finished and the metric points it saved")
        }
        if recorded.errors != fresh.errors {
            report.divergence = Divergence(cell: nil, cellTitle: nil,
                                           difference: .runErrors(recorded: recorded.errors, now: fresh.errors), alsoDiffering: [])
            return report
        }
        var seriesSeen = Set<String>()
        var prevR: [String: Int] = [:], prevF: [String: Int] = [:]
        for (i, r) in recorded.cells.enumerated() {
            guard i < fresh.cells.count else {
                report.divergence = Divergence(cell: i, cellTitle: r.title,
                                               difference: .cellMissing(recordedCells: recorded.cells.count, nowCells: fresh.cells.count),
                                               alsoDiffering: [])
                return report
            }
            let f = fresh.cells[i]
            let partial = r.status == .interrupted
            var diffs: [Difference] = []
            if !partial && r.status != f.status {
                diffs.append(.status(recorded: r.status, now: f.status, error: f.error))
            }
            // Metric points logged in this cell.
            let countsR = Dictionary(r.metricCounts.map { ($0.name, $0.count) }, uniquingKeysWith: { $1 })
            let countsF = Dictionary(f.metricCounts.map { ($0.name, $0.count) }, uniquingKeysWith: { $1 })
            for name in orderedUnion(r.metricCounts.map(\.name), f.metricCounts.map(\.name)) {
                let lo = prevR[name] ?? 0, hiR = countsR[name] ?? lo
                let loF = prevF[name] ?? 0, hiF = countsF[name] ?? loF
                let nR = hiR - lo, nF = hiF - loF
                if nR == 0 && nF == 0 { continue }
                seriesSeen.insert(name)
                let sR = recorded.series(named: name), sF = fresh.series(named: name)
                if partial ? nF < nR : nF != nR || lo != loF {
                    diffs.append(.metricCount(name: name, recorded: nR, now: nF))
                    continue
                }
                if let sR, let sF, let m = metricDifference(sR, sF, range: lo..<hiR) {
                    diffs.append(.metric(m))
                }
                report.comparedPoints += nR
            }
            prevR = countsR.merging(prevR) { mine, _ in mine }
            prevF = countsF.merging(prevF) { mine, _ in mine }
            if let o = outputDifference(r.output, f.output, prefixOnly: partial) { diffs.append(o) }
            if !partial {
                diffs += valueDifferences(r.values, f.values)
                let artsR = recorded.artifacts.filter { $0.cell == i }, artsF = fresh.artifacts.filter { $0.cell == i }
                diffs += artifactDifferences(artsR, artsF)
                report.comparedArtifacts += artsR.count
            }
            report.comparedCells += 1
            if let first = diffs.first {
                report.divergence = Divergence(cell: i, cellTitle: r.title, difference: first,
                                               alsoDiffering: diffs.dropFirst().map(brief))
                report.comparedSeries = seriesSeen.count
                return report
            }
            // Nothing after an interrupted cell ran on record.
            if partial { break }
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
                report.divergence = Divergence(cell: last, cellTitle: title,
                                               difference: .metricCount(name: sR.name, recorded: sR.values.count - lo,
                                                                        now: max(0, (fresh.series(named: sR.name)?.values.count ?? 0) - lo)),
                                               alsoDiffering: [])
                return report
            }
            if let m = metricDifference(sR, sF, range: lo..<sR.values.count) {
                report.divergence = Divergence(cell: last, cellTitle: title, difference: .metric(m), alsoDiffering: [])
                return report
            }
            report.comparedPoints += sR.values.count - lo
        }
        report.comparedSeries = seriesSeen.count
        if recorded.status == .complete || recorded.status == .failed, fresh.cells.count != recorded.cells.count {
            report.divergence = Divergence(cell: nil, cellTitle: nil,
                                           difference: .cellMissing(recordedCells: recorded.cells.count, nowCells: fresh.cells.count),
                                           alsoDiffering: [])
        }
        return report
    }

    /// A record made under another random-stream key scheme draws other
    /// numbers by design: named as a build change, so a divergence says why.
    static func schemeChanges(_ a: RunRecord, _ b: RunRecord) -> [EnvironmentFingerprint.Change] {
        let was = a.randomScheme ?? 1, now = b.randomScheme ?? 1
        guard was != now else { return [] }
        func name(_ s: Int) -> String { s == 1 ? "1 (streams keyed by call-site text position)" : s == 2 ? "2 (keyed by consumer and call count)" : "\(s)" }
        return [EnvironmentFingerprint.Change(part: "random scheme", recorded: name(was), now: name(now))]
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

    static func brief(_ d: Difference) -> String {
        switch d {
        case .metric(let m): return "metric '\(m.name)' (step \(m.step))"
        case .metricCount(let name, _, _): return "metric '\(name)' (point count)"
        case .output(let line, _, _): return "printed output (line \(line))"
        case .value(let name, _, _): return "value '\(name)'"
        case .artifact(let path, _, _, _, _): return "artifact \(path)"
        case .status: return "status"
        default: return d.summary
        }
    }
}
