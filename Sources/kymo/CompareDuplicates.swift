// CompareDuplicates: `kymo runs compare` counts one record per
// (notebook text, configuration, seed). Records of the same point twice
// (a point run again, a run named beside its sweep) would count as two
// samples; the newest is kept and the choice is said on stderr.

import Records

enum CompareDuplicates {
    /// `records` with one record per (notebook SHA-256, overrides, seed), the newest (latest start) of each; a note per choice.
    /// Only records whose id is in `fromSweeps` are merged; the others pass through.
    static func oneRecordPerPoint(_ records: [RunRecord], fromSweeps: Set<String>) -> (records: [RunRecord], notes: [String]) {
        var groups: [String: [RunRecord]] = [:], order: [String] = []
        for r in records {
            let key = !fromSweeps.contains(r.id) ? "run \(r.id)" : r.notebook.sha256 + "\u{0}" + r.overrides.map { $0.key + "=" + $0.value }.joined(separator: "\u{0}") + "\u{0}\(r.seed)"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(r)
        }
        var kept: [RunRecord] = [], notes: [String] = []
        for key in order {
            let g = groups[key]!
            let newest = g.max { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }!
            kept.append(newest)
            if g.count > 1 {
                let label = (newest.overrides.map { "\($0.key)=\($0.value)" } + ["seed=\(newest.seed)"]).joined(separator: " ")
                notes.append("\(g.count) complete records of \(label) (\(g.map(\.id).joined(separator: ", "))); counting one, the newest: \(newest.id)")
            }
        }
        return (kept, notes)
    }
}
