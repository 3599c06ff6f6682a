// ReplayDifferences: what a replay's comparison finds — the verdict, the
// categories it counts (printed lines, values, metric series, artifacts,
// inputs, cells), each difference with its class (*numeric* with the largest
// absolute and relative difference and the first step where known, *text
// only*, *explained* by a changed input or another numerics version) and the
// check of the inputs. Plain values; ReplayComparer finds them, ReplayReport
// renders them.

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
