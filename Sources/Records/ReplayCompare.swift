// ReplayCompare: a recorded run beside a fresh execution of the same record,
// cell by cell, finding EVERY difference and classing each: *numeric* (a
// metric point, a value digest, a printed number, an artifact's bytes, a
// status — with the largest absolute and relative difference and the first
// step where known), *text only* (printed lines whose numbers all agree, such
// as a path), *explained* (a numeric difference after a changed input or a
// another numerics version, named), or an *input* whose bytes differ.
// The verdict: `identical` (nothing differs), `identical numbers` (only text
// or inputs differ, listed), `diverged` (the first numeric divergence named).
// Per category (printed lines, values, metric series, artifacts, inputs,
// cells) it counts what is identical. This file is the entry point; the
// differences (ReplayDifferences.swift), the comparer (ReplayComparer.swift)
// and the report (ReplayReport.swift) have files of their own.

import Foundation

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
        // A missing or extra line is text (outputDifference names it), never a number of infinite difference.
        for i in 0..<min(a.count, b.count) {
            let x = numbers(in: a[i]), y = numbers(in: b[i])
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
