// TrainingStops: where the training calls of an interrupted recording
// stopped — the last step of each call's recorded loss series (`train1.loss`,
// …). A replay stops each call there (a finished call's last step is its
// total, so only the interrupted one stops early), the interrupted cell then
// ends as it did on record, and the replay can say `identical`.
// Deliberately not: stopping anything but `train` (other built-ins do not
// record how far they got).

import Records

enum TrainingStops {
    /// Call name → the step its recorded series ends at (0: stopped before its first step).
    static func recorded(in record: RunRecord) -> [String: Int] {
        var out: [String: Int] = [:]
        for s in record.metrics where s.source == "train" && s.name.hasSuffix(".loss") {
            let call = String(s.name.dropLast(".loss".count))
            guard call.hasPrefix("train"), Int(call.dropFirst("train".count)) != nil else { continue }
            out[call] = s.steps.last ?? 0
        }
        return out
    }
}
