// RunComparison: `kymo runs compare` — records grouped into configurations
// (their `--set` overrides; the seed is what repeats), each metric series
// reduced to its last value, and per configuration the mean ± sample standard
// deviation with n and a 95 % t-interval; with `--by KEY`, Welch's t-test
// between the groups of KEY's values (within each combination of the other
// differing keys). Renders plain text, CSV and JSON.
// Deliberately not: corrections for multiple comparisons, paired or
// non-parametric tests (the text says which test it is).

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
    }

    public struct GroupTest {
        /// Values of the other differing keys (the stratum), in `keys` order without `by`.
        public var stratum: [String]
        public var metric: String
        public var a: String, b: String
        public var na: Int, nb: Int
        public var test: Statistics.Welch?
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
        if let only {
            if let unknown = only.first(where: { !names.contains($0) }) {
                throw ComparisonError(message: "--metric \(unknown): no run logged it (metrics: \(names.joined(separator: ", ")))")
            }
            names = names.filter { only.contains($0) }
        }
        metrics = names
        var configs: [Configuration] = []
        for r in records {
            let vs = keys.map { value(r, $0) }
            var i = configs.firstIndex { $0.values == vs } ?? -1
            if i < 0 {
                configs.append(Configuration(values: vs, runs: [], seeds: [], samples: Array(repeating: [], count: names.count)))
                i = configs.count - 1
            }
            configs[i].runs.append(r.id)
            configs[i].seeds.append(r.seed)
            for (m, name) in names.enumerated() {
                if let s = r.series(named: name), s.values.count > 0 { configs[i].samples[m].append(s.values.double(at: s.values.count - 1)) }
            }
        }
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
                            tests.append(GroupTest(stratum: s, metric: name, a: groups[i].values[byIndex], b: groups[j].values[byIndex],
                                                   na: xa.count, nb: xb.count,
                                                   test: xa.isEmpty || xb.isEmpty ? nil : Statistics.welch(xa, xb, level: level)))
                        }
                    }
                }
            }
        }
    }

    // MARK: rendering

    /// Four significant digits, the way tables show numbers.
    public static func short(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        return String(format: "%.4g", v)
    }

    static func pValue(_ p: Double) -> String {
        if p < 1e-4 { return String(format: "%.1e", p) }
        return String(format: "%.4f", p)
    }

    static func table(_ rows: [[String]]) -> String { TextTable.render(rows) }

    var keyHeader: [String] { keys.isEmpty ? ["configuration"] : keys }
    func keyCells(_ c: Configuration) -> [String] { keys.isEmpty ? ["(all runs)"] : c.values }

    /// The plain-text report.
    public func text() -> String {
        let pct = "\(Int((level * 100).rounded())) %"
        var out = "metrics: the last value of each series, per configuration: mean ± sd (sample, n−1), n, \(pct) t-interval of the mean\n"
        if !constant.isEmpty { out += "same in every run: " + constant.map { "\($0.key)=\($0.value)" }.joined(separator: " ") + "\n" }
        for (m, name) in metrics.enumerated() {
            out += "\n\(name)\n"
            var rows = [keyHeader + ["mean ± sd", "n", "\(pct) interval", "seeds"]]
            for c in configurations {
                let xs = c.samples[m]
                guard !xs.isEmpty else { rows.append(keyCells(c) + ["-", "0", "-", ""]); continue }
                let s = Statistics.summary(xs, level: level)
                let sd = s.sd.map { " ± " + Self.short($0) } ?? " (n = 1, no spread)"
                let ci = s.interval.map { "[\(Self.short($0.low)), \(Self.short($0.high))]" } ?? "-"
                rows.append(keyCells(c) + [Self.short(s.mean) + sd, "\(s.n)", ci, c.seeds.map(String.init).joined(separator: ",")])
            }
            out += Self.table(rows).split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n"
        }
        if let by {
            out += "\nby \(by): difference of means A − B, its \(pct) interval, and the two-sided p-value of Welch's t-test (unequal variances; no correction for multiple comparisons; * p < \(Self.short(1 - level)))\n"
            let others = keys.filter { $0 != by }
            var rows = [others + ["metric", "A", "B", "A − B", "\(pct) interval", "t", "df", "p", ""]]
            for t in tests {
                guard let w = t.test else {
                    rows.append(t.stratum + [t.metric, t.a, t.b, "-", "-", "-", "-", "-", "needs n ≥ 2 in both (\(t.na), \(t.nb))"])
                    continue
                }
                if w.standardError == 0 {
                    rows.append(t.stratum + [t.metric, t.a, t.b, Self.short(w.difference), "-", "-", "-", "-", "no spread in either group"])
                    continue
                }
                rows.append(t.stratum + [t.metric, t.a, t.b, Self.short(w.difference), "[\(Self.short(w.low)), \(Self.short(w.high))]",
                                         Self.short(w.t), Self.short(w.df), Self.pValue(w.p), w.p < 1 - level ? "*" : ""])
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
        var lines = [(keys + ["metric", "n", "mean", "sd", "low", "high", "min", "max", "seeds", "runs"]).map(Self.csvField).joined(separator: ",")]
        for (m, name) in metrics.enumerated() {
            for c in configurations {
                let xs = c.samples[m]
                var row = c.values + [name, "\(xs.count)"]
                if xs.isEmpty { row += ["", "", "", "", "", ""] } else {
                    let s = Statistics.summary(xs, level: level)
                    row += [Self.exact(s.mean), Self.exact(s.sd), Self.exact(s.interval?.low), Self.exact(s.interval?.high),
                            Self.exact(s.min), Self.exact(s.max)]
                }
                row += [c.seeds.map(String.init).joined(separator: " "), c.runs.joined(separator: " ")]
                lines.append(row.map(Self.csvField).joined(separator: ","))
            }
        }
        if let by {
            lines.append("")
            lines.append((keys.filter { $0 != by } + ["metric", "by", "a", "b", "na", "nb", "difference", "low", "high", "t", "df", "p", "test"])
                .map(Self.csvField).joined(separator: ","))
            for t in tests {
                let w = t.test
                let row = t.stratum + [t.metric, by, t.a, t.b, "\(t.na)", "\(t.nb)", Self.exact(w?.difference), Self.exact(w?.low),
                                       Self.exact(w?.high), Self.exact(w?.t), Self.exact(w?.df), Self.exact(w?.p), "welch"]
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
            configs.append(["overrides": Dictionary(uniqueKeysWithValues: zip(keys, c.values)), "seeds": c.seeds, "runs": c.runs, "metrics": ms])
        }
        var doc: [String: Any] = [
            "statistic": "last value of each series; mean, sample sd (n-1), t-interval of the mean",
            "level": level, "keys": keys, "metrics": metrics, "configurations": configs,
            "constant": Dictionary(uniqueKeysWithValues: constant.map { ($0.key, $0.value) }),
        ]
        if let by {
            doc["by"] = by
            doc["test"] = "welch two-sided"
            doc["comparisons"] = tests.map { t -> [String: Any] in
                let w = t.test
                return ["stratum": Dictionary(uniqueKeysWithValues: zip(keys.filter { $0 != by }, t.stratum)), "metric": t.metric,
                        "a": t.a, "b": t.b, "na": t.na, "nb": t.nb, "difference": num(w?.difference), "low": num(w?.low),
                        "high": num(w?.high), "t": num(w?.t), "df": num(w?.df), "p": num(w?.p)]
            }
        }
        let data = (try? JSONSerialization.data(withJSONObject: doc, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
