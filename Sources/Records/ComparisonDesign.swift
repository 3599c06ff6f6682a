// ComparisonDesign: what `kymo runs compare` decides about a study's design
// before it tests — whether two configurations are paired (both ran the same
// seeds, each once, and seed by seed bound the same datasets: the same root
// seed then drew the same data and test set for both, so the per-seed
// differences are what to test), which series are per-frame (not reduced to
// a last value), and how an override literal reads as data (`"sa"` → `sa`).
// Deliberately not: guessing a pairing from values, or pairing by run order.

import Foundation

public enum ComparisonDesign {
    public enum Pairing: Equatable {
        /// Matched values, a[i] with b[i], in seed order.
        case paired([Double], [Double])
        /// Why not (nil: a group has too few values to say).
        case unpaired(String?)
    }

    /// A series of one value per frame (`mse_per_frame`, …): its last element is the last frame.
    public static func isPerFrame(_ name: String) -> Bool {
        name.lowercased().contains("per_frame")
    }

    /// The digests of the datasets a run bound, by name (a name bound twice keeps its last).
    public static func datasetDigests(_ r: RunRecord) -> [String: String] {
        var out: [String: String] = [:]
        for c in r.cells { for v in c.values where v.type == "dataset" { out[v.name] = v.sha256 } }
        return out
    }

    /// Whether configurations `a` and `b` are paired for metric `m`.
    public static func pairing(_ a: RunComparison.Configuration, _ b: RunComparison.Configuration, metric m: Int) -> Pairing {
        guard a.samples[m].count >= 2, b.samples[m].count >= 2 else { return .unpaired(nil) }
        let sa = Set(a.seeds), sb = Set(b.seeds)
        guard sa.count == a.seeds.count, sb.count == b.seeds.count else { return .unpaired("a seed ran more than once") }
        guard sa == sb else { return .unpaired("the groups ran different seeds") }
        let seeds = a.seeds.sorted()
        guard seeds.allSatisfy({ a.bySeed[m][$0] != nil && b.bySeed[m][$0] != nil }) else {
            return .unpaired("not every seed has this metric in both groups")
        }
        for seed in seeds {
            let da = a.datasets[a.seeds.firstIndex(of: seed)!], db = b.datasets[b.seeds.firstIndex(of: seed)!]
            for (name, sha) in da where db[name] != nil && db[name] != sha {
                return .unpaired("seed \(seed) bound a different dataset '\(name)' in each group")
            }
        }
        return .paired(seeds.map { a.bySeed[m][$0]! }, seeds.map { b.bySeed[m][$0]! })
    }

    /// An override literal as data: a quoted Kymo string without its quotes
    /// and escapes (`"sa"` → `sa`); anything else as written (`1e-3`, `true`).
    public static func dataValue(_ literal: String) -> String {
        guard literal.count >= 2, literal.hasPrefix("\""), literal.hasSuffix("\"") else { return literal }
        var out = "", escaped = false
        for ch in literal.dropFirst().dropLast() {
            if escaped {
                switch ch {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "0": out.append("\0")
                default: out.append(ch)
                }
                escaped = false
            } else if ch == "\\" {
                escaped = true
            } else {
                out.append(ch)
            }
        }
        return out
    }

    /// An override literal as a JSON value: a number, a bool, null, or a string (unquoted).
    public static func jsonValue(_ literal: String) -> Any {
        if literal.hasPrefix("\"") { return dataValue(literal) }
        switch literal {
        case "true": return true
        case "false": return false
        case "nil": return NSNull()
        default: break
        }
        if let i = Int(literal) { return i }
        if let d = Double(literal), d.isFinite, literal.first.map({ $0.isNumber || $0 == "-" || $0 == "." }) == true { return d }
        return literal
    }
}
