// TrainingStops: where the training calls of an interrupted recording
// stopped — the last step of each call's recorded loss series (`train1.loss`,
// …) where it matches the step an interrupted cell's error names. A replay
// stops each such call there, the interrupted cell then ends as it did on
// record, and the replay can say `identical`.
// Deliberately not: stopping anything but `train` (other built-ins do not
// record how far they got).

import Records

enum TrainingStops {
    /// Call name → the step its recorded series ends at (0: stopped before its first step),
    /// for the calls that ended where an interrupted cell says training stopped
    /// (`interrupted during training at step N`), so that a call that diverged or
    /// stopped early on its own is left to do so again.
    static func recorded(in record: RunRecord) -> [String: Int] {
        let marker = "interrupted during training at step "
        var steps = Set<Int>()
        for c in record.cells where c.status == .interrupted {
            guard let e = c.error, let r = e.range(of: marker) else { continue }
            if let n = Int(e[r.upperBound...].prefix { $0.isNumber }) { steps.insert(n) }
        }
        var out: [String: Int] = [:]
        for s in record.metrics where s.source == "train" && s.name.hasSuffix(".loss") {
            let call = String(s.name.dropLast(".loss".count))
            guard call.hasPrefix("train"), Int(call.dropFirst("train".count)) != nil else { continue }
            let last = s.steps.last ?? 0
            if steps.contains(last) { out[call] = last }
        }
        return out
    }
}
