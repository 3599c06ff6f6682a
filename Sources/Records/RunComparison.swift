// RunComparison: `kymo runs compare` — records grouped into configurations
// (their `--set` overrides; the seed is what repeats), each metric series
// reduced to its last value, and per configuration the mean ± sample standard
// deviation with n and a 95 % t-interval; with `--by KEY`, a t-test between
// the groups of KEY's values (within each combination of the other differing
// keys): the paired test on per-seed differences when both groups ran the same
// seeds and, seed by seed, bound the same datasets (ComparisonDesign.swift),
// Welch's test otherwise; with several comparisons their p-values are
// Holm-adjusted. A configuration whose runs are bit-identical is flagged (the
// seeds changed nothing: its n is not a sample), and a spread of zero is
// never printed as "± 0". Per-frame series (`…per_frame…`) are not reduced to
// their last element: they are listed and left out. Renders plain text, CSV
// and JSON (values as data: a string override `"sa"` is written `sa`).
// Deliberately not: non-parametric tests or a bootstrap.

import Foundation
import KymoBase

/// A comparison that cannot be made, and why.
public struct ComparisonError: Error, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

public struct RunComparison {
    public struct Configuration {
        /// The values of the differing keys, in `keys` order (`-` where a run lacks the key).
        public var values: [String]
        public var runs: [String]
        public var seeds: [UInt64]
        /// Per metric (in `metrics` order): the last value of each run's series.
        public var samples: [[Double]]
        /// Per metric: the last value by seed (for pairing; a seed seen twice keeps its first run).
        public var bySeed: [[UInt64: Double]] = []
        /// Per run (in `runs` order): the digests of the datasets it bound, by name.
        public var datasets: [[String: String]] = []
        /// Two or more runs whose every metric series is the same bits: the seeds changed nothing.
        public var identical = false
    }

    public struct GroupTest {
        /// Values of the other differing keys (the stratum), in `keys` order without `by`.
        public var stratum: [String]
        public var metric: String
        public var a: String, b: String
        public var na: Int, nb: Int
        public var test: Statistics.Welch?
        /// The test is the paired one (per-seed differences), not Welch's.
        public var paired = false
        /// The p-value after Holm's adjustment over every comparison printed (nil: not adjusted).
        public var adjustedP: Double?
    }

    /// The override keys whose values differ between the records, in first-seen order.
    public var keys: [String]
    /// Keys every record sets to the same value.
    public var constant: [Override]
    public var metrics: [String]
    public var configurations: [Configuration]
    public var level = 0.95
    public var by: String?
    public var tests: [GroupTest] = []
    /// Per-frame series left out of the comparison (their last element is one frame, not the metric).
    public var perFrame: [String] = []
    /// Why comparisons are not paired, one line each (seeds differ, data differ).
    public var designNotes: [String] = []

    /// Groups `records` (complete runs) by their overrides.
    /// `only`: the metric series to show (all when nil), in the records' order.
    public init(records: [RunRecord], by: String? = nil, only: [String]? = nil) throws {
        var allKeys: [String] = []
        for r in records { for o in r.overrides where !allKeys.contains(o.key) { allKeys.append(o.key) } }
        func value(_ r: RunRecord, _ k: String) -> String { r.overrides.last { $0.key == k }?.value ?? "-" }
        let keys = allKeys.filter { k in Set(records.map { value($0, k) }).count > 1 }
        self.keys = keys
        constant = allKeys.filter { !keys.contains($0) }.compactMap { k in records.first.map { Override(key: k, value: value($0, k)) } }
        var names: [String] = []
        for r in records { for s in r.metrics where !names.contains(s.name) && s.values.count > 0 { names.append(s.name) } }
        perFrame = names.filter(ComparisonDesign.isPerFrame)
        if let only, let frame = only.first(where: ComparisonDesign.isPerFrame) {
            throw ComparisonError(message: "--metric \(frame): a per-frame series is not compared by its last element (one frame); plot it per frame with plot_metrics(load_sweep(…))")
        }
        names.removeAll(where: ComparisonDesign.isPerFrame)
        if let only {
            if let unknown = only.first(where: { !names.contains($0) }) {
                throw ComparisonError(message: "--metric \(unknown): no run logged it (metrics: \(names.joined(separator: ", ")))")
            }
            names = names.filter { only.contains($0) }
        }
        metrics = names
        var configs: [Configuration] = []
        var firstMetrics: [Int: [MetricSeriesRecord]] = [:]
        for r in records {
            let vs = keys.map { value(r, $0) }
            var i = configs.firstIndex { $0.values == vs } ?? -1
            if i < 0 {
                configs.append(Configuration(values: vs, runs: [], seeds: [], samples: Array(repeating: [], count: names.count),
                                             bySeed: Array(repeating: [:], count: names.count)))
                i = configs.count - 1
                firstMetrics[i] = r.metrics
                configs[i].identical = true
            } else if configs[i].identical && r.metrics != firstMetrics[i] {
                configs[i].identical = false
            }
            configs[i].runs.append(r.id)
            configs[i].seeds.append(r.seed)
            configs[i].datasets.append(ComparisonDesign.datasetDigests(r))
            for (m, name) in names.enumerated() {
                if let s = r.series(named: name), s.values.count > 0 {
                    let v = s.values.double(at: s.values.count - 1)
                    configs[i].samples[m].append(v)
                    if configs[i].bySeed[m][r.seed] == nil { configs[i].bySeed[m][r.seed] = v }
                }
            }
        }
        for i in configs.indices where configs[i].runs.count < 2 { configs[i].identical = false }
        configurations = configs
        self.by = by
        if let by {
            guard let byIndex = keys.firstIndex(of: by) else {
                let known = allKeys.isEmpty ? "the runs have no --set keys" : "keys that differ: \(keys.isEmpty ? "none" : keys.joined(separator: ", "))"
                throw ComparisonError(message: "--by \(by): no two runs differ in '\(by)' (\(known))")
            }
            var strata: [[String]] = []
            for c in configs {
                var s = c.values
                s.remove(at: byIndex)
                if !strata.contains(s) { strata.append(s) }
            }
            for s in strata {
                let groups = configs.filter { var v = $0.values; v.remove(at: byIndex); return v == s }
                for (m, name) in names.enumerated() {
                    for i in 0..<groups.count {
                        for j in (i + 1)..<max(i + 1, groups.count) {
                            let xa = groups[i].samples[m], xb = groups[j].samples[m]
                            let (a, b) = (groups[i].values[byIndex], groups[j].values[byIndex])
                            let design = ComparisonDesign.pairing(groups[i], groups[j], metric: m)
                            if m == 0, case .unpaired(let why) = design, let why {
                                designNotes.append("\((s + [a + " vs " + b]).joined(separator: " ")): Welch's test, not paired: \(why)")
                            }
                            var t = GroupTest(stratum: s, metric: name, a: a, b: b, na: xa.count, nb: xb.count, test: nil)
                            if case .paired(let pa, let pb) = design {
                                t.paired = true
                                t.test = Statistics.paired(pa, pb, level: level)
                            } else if !xa.isEmpty && !xb.isEmpty {
                                t.test = Statistics.welch(xa, xb, level: level)
                            }
                            tests.append(t)
                        }
                    }
                }
            }
            // Holm over every comparison that has a p-value (an exact difference has none to adjust).
            let tested = tests.indices.filter { tests[$0].test.map { $0.standardError > 0 } ?? false }
            if tested.count > 1 {
                let adjusted = Statistics.holm(tested.map { tests[$0].test!.p })
                for (k, i) in tested.enumerated() { tests[i].adjustedP = adjusted[k] }
            }
        }
    }

    /// The number of comparisons whose p-values were adjusted together (0: none).
    public var adjustedCount: Int { tests.filter { $0.adjustedP != nil }.count }

    // MARK: rendering

    /// Four significant digits, the way tables show numbers.
    public static func short(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        return String(format: "%.4g", v)
    }

    public static func pValue(_ p: Double) -> String {
        if p < 1e-4 { return String(format: "%.1e", p) }
        return String(format: "%.4f", p)
    }

    static func table(_ rows: [[String]]) -> String { TextTable.render(rows) }

    var keyHeader: [String] { keys.isEmpty ? ["configuration"] : keys }
    func keyCells(_ c: Configuration) -> [String] { keys.isEmpty ? ["(all runs)"] : c.values }

    /// "± sd", or what a zero spread means: identical runs, or equal last values.
    public func spread(_ c: Configuration, _ s: Statistics.Summary) -> String {
        guard let sd = s.sd else { return " (n = 1, no spread)" }
        if sd == 0 { return c.identical ? " (all \(s.n) runs identical)" : " (no spread: all \(s.n) equal)" }
        return " ± " + Self.short(sd)
    }

    /// One warning per configuration whose runs are bit-identical.
    public var identicalWarnings: [String] {
        configurations.filter(\.identical).map { c in
            let what = Set(c.seeds).count == 1 ? "every run had seed \(c.seeds[0])" : "the seeds did not change the result"
            return "warning: \(keyCells(c).joined(separator: " ")): \(c.runs.count) runs, all identical: \(what) " +
                "(every metric series is the same bits; seeds \(c.seeds.map(String.init).joined(separator: ","))), so n = \(c.runs.count) is not a sample"
        }
    }

    /// The test's name as the tables print it.
    public static func testName(_ t: GroupTest) -> String { t.paired ? "paired" : "Welch" }

    /// The plain-text report.
    public func text() -> String {
        let pct = "\(Int((level * 100).rounded())) %"
        var out = "metrics: the last value of each series, per configuration: mean ± sd (sample, n−1), n, \(pct) t-interval of the mean\n"
        if !constant.isEmpty { out += "same in every run: " + constant.map { "\($0.key)=\($0.value)" }.joined(separator: " ") + "\n" }
        for w in identicalWarnings { out += w + "\n" }
        if !perFrame.isEmpty {
            out += "per-frame series left out (their last element is one frame, not the metric): \(perFrame.joined(separator: ", "))\n"
        }
        for (m, name) in metrics.enumerated() {
            out += "\n\(name)\n"
            var rows = [keyHeader + ["mean ± sd", "n", "\(pct) interval", "seeds"]]
            for c in configurations {
                let xs = c.samples[m]
                guard !xs.isEmpty else { rows.append(keyCells(c) + ["-", "0", "-", ""]); continue }
                let s = Statistics.summary(xs, level: level)
                let ci = s.sd == 0 ? "-" : s.interval.map { "[\(Self.short($0.low)), \(Self.short($0.high))]" } ?? "-"
                rows.append(keyCells(c) + [Self.short(s.mean) + spread(c, s), "\(s.n)", ci, c.seeds.map(String.init).joined(separator: ",")])
            }
            out += Self.table(rows).split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n"
        }
        if let by {
            let paired = tests.contains(where: \.paired), unpaired = tests.contains { !$0.paired && $0.test != nil }
            let which = paired && unpaired ? "the paired t-test on per-seed differences where both groups ran the same seeds on the same data, Welch's t-test (unequal variances) elsewhere"
                : paired ? "the paired t-test on per-seed differences (both groups ran the same seeds, which drew the same data)"
                : "Welch's t-test (unequal variances; the groups are not paired by seed)"
            let adjusted = adjustedCount > 1 ? "p Holm-adjusted over the \(adjustedCount) comparisons printed" : "one comparison, no adjustment"
            out += "\nby \(by): difference of means A − B, its \(pct) interval (unadjusted), and the two-sided p-value of \(which); \(adjusted); * p < \(Self.short(1 - level))\n"
            for n in designNotes { out += "  note: " + n + "\n" }
            let others = keys.filter { $0 != by }
            var rows = [others + ["metric", "A", "B", "A − B", "\(pct) interval", "test", "t", "df", "p"] + (adjustedCount > 1 ? ["p (Holm)"] : []) + [""]]
            for t in tests {
                let pad = adjustedCount > 1 ? ["-"] : []
                guard let w = t.test else {
                    rows.append(t.stratum + [t.metric, t.a, t.b, "-", "-", "-", "-", "-", "-"] + pad + ["needs n ≥ 2 in both (\(t.na), \(t.nb))"])
                    continue
                }
                if w.standardError == 0 {
                    let why = t.paired ? "the same difference for every seed" : "no spread in either group"
                    rows.append(t.stratum + [t.metric, t.a, t.b, Self.short(w.difference), "-", Self.testName(t), "-", "-", "-"] + pad + [why])
                    continue
                }
                let p = t.adjustedP ?? w.p
                rows.append(t.stratum + [t.metric, t.a, t.b, Self.short(w.difference), "[\(Self.short(w.low)), \(Self.short(w.high))]",
                                         Self.testName(t), Self.short(w.t), Self.short(w.df), Self.pValue(w.p)]
                            + (t.adjustedP.map { [Self.pValue($0)] } ?? []) + [p < 1 - level ? "*" : ""])
            }
            out += Self.table(rows).split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n"
        }
        return out
    }

    static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    static func exact(_ v: Double?) -> String { v.map { "\($0)" } ?? "" }

    /// One line per configuration and metric (and, with `--by`, a second table after a blank line).
    public func csv() -> String {
        var lines = [(keys + ["metric", "n", "mean", "sd", "low", "high", "min", "max", "seeds", "runs", "identical"]).map(Self.csvField).joined(separator: ",")]
        for (m, name) in metrics.enumerated() {
            for c in configurations {
                let xs = c.samples[m]
                var row = c.values.map(ComparisonDesign.dataValue) + [name, "\(xs.count)"]
                if xs.isEmpty { row += ["", "", "", "", "", ""] } else {
                    let s = Statistics.summary(xs, level: level)
                    row += [Self.exact(s.mean), Self.exact(s.sd), Self.exact(s.interval?.low), Self.exact(s.interval?.high),
                            Self.exact(s.min), Self.exact(s.max)]
                }
                row += [c.seeds.map(String.init).joined(separator: " "), c.runs.joined(separator: " "), c.identical ? "true" : "false"]
                lines.append(row.map(Self.csvField).joined(separator: ","))
            }
        }
        if let by {
            lines.append("")
            lines.append((keys.filter { $0 != by } + ["metric", "by", "a", "b", "na", "nb", "difference", "low", "high", "t", "df", "p", "test", "p_holm"])
                .map(Self.csvField).joined(separator: ","))
            for t in tests {
                let w = t.test
                let row = t.stratum.map(ComparisonDesign.dataValue) + [t.metric, by, ComparisonDesign.dataValue(t.a), ComparisonDesign.dataValue(t.b),
                                       "\(t.na)", "\(t.nb)", Self.exact(w?.difference), Self.exact(w?.low),
                                       Self.exact(w?.high), Self.exact(w?.t), Self.exact(w?.df), Self.exact(w?.p), t.paired ? "paired" : "welch",
                                       Self.exact(t.adjustedP)]
                lines.append(row.map(Self.csvField).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A JSON document (sorted keys) with the same content as the CSV.
    public func json() -> String {
        func num(_ v: Double?) -> Any {
            guard let v else { return NSNull() }
            return v.isFinite ? v : "\(v)" as Any
        }
        var configs: [[String: Any]] = []
        for c in configurations {
            var ms: [String: Any] = [:]
            for (m, name) in metrics.enumerated() where !c.samples[m].isEmpty {
                let s = Statistics.summary(c.samples[m], level: level)
                ms[name] = ["n": s.n, "mean": num(s.mean), "sd": num(s.sd), "low": num(s.interval?.low), "high": num(s.interval?.high),
                            "min": num(s.min), "max": num(s.max), "values": c.samples[m]]
            }
            configs.append(["overrides": Dictionary(uniqueKeysWithValues: zip(keys, c.values.map(ComparisonDesign.jsonValue))), "seeds": c.seeds,
                            "runs": c.runs, "metrics": ms, "identical": c.identical])
        }
        var doc: [String: Any] = [
            "statistic": "last value of each series; mean, sample sd (n-1), t-interval of the mean",
            "level": level, "keys": keys, "metrics": metrics, "configurations": configs,
            "constant": Dictionary(uniqueKeysWithValues: constant.map { ($0.key, ComparisonDesign.jsonValue($0.value)) }),
            "per_frame_left_out": perFrame,
        ]
        if let by {
            doc["by"] = by
            doc["test"] = "two-sided t-test per comparison: paired (per-seed differences) or welch"
            doc["adjustment"] = adjustedCount > 1 ? "holm" : "none"
            doc["comparisons"] = tests.map { t -> [String: Any] in
                let w = t.test
                return ["stratum": Dictionary(uniqueKeysWithValues: zip(keys.filter { $0 != by }, t.stratum.map(ComparisonDesign.jsonValue))),
                        "metric": t.metric, "test": t.paired ? "paired" : "welch", "p_holm": num(t.adjustedP),
                        "a": ComparisonDesign.jsonValue(t.a), "b": ComparisonDesign.jsonValue(t.b), "na": t.na, "nb": t.nb, "difference": num(w?.difference), "low": num(w?.low),
                        "high": num(w?.high), "t": num(w?.t), "df": num(w?.df), "p": num(w?.p)]
            }
        }
        let data = (try? JSONSerialization.data(withJSONObject: doc, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
