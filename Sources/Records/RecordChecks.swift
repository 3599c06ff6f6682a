// RecordChecks: what was checked about a record, said as what it is — never
// "verified". A record that reads has its seal intact (a SHA-256 anyone can
// recompute: it shows the file was not damaged or edited by hand, not who
// made it); a signature names the key that signed (compare its fingerprint
// with one you trust); a sealed replay verdict beside it says it was
// replayed identical on a date. `kymo runs`, `runs compare`, `sweep`,
// `report` and `runs verify` print these.

import Foundation

public enum RecordChecks {
    /// `signed by 3f9a 1c2b …` (the whole fingerprint), `unsigned`, or why a signature fails.
    public static func signature(_ r: RunRecord) -> String {
        guard let s = r.signature else { return "unsigned" }
        switch RecordSigning.verify(s, seal: r.seal) {
        case .valid(let fp): return "signed by \(fp)"
        case .validWithoutTime(let fp): return "signed by \(fp) (its signing time is not covered)"
        case .invalid(let why): return "signature does not verify (\(why))"
        }
    }

    /// For a table column: `unsigned` or `signed 3f9a 1c2b 5d6e 7f80…`.
    public static func signatureShort(_ r: RunRecord) -> String {
        guard let s = r.signature else { return "unsigned" }
        switch RecordSigning.verify(s, seal: r.seal) {
        case .valid(let fp), .validWithoutTime(let fp): return "signed " + fp.split(separator: " ").prefix(4).joined(separator: " ") + "…"
        case .invalid: return "BAD signature"
        }
    }

    public static func isSigned(_ r: RunRecord) -> Bool {
        guard let s = r.signature else { return false }
        switch RecordSigning.verify(s, seal: r.seal) {
        case .valid, .validWithoutTime: return true
        case .invalid: return false
        }
    }

    /// `seal intact, signed by …, replayed identical on 2026-12-06` (the
    /// replay part only with the run folder, from sealed verdicts that check out).
    public static func text(_ r: RunRecord, folder: String?) -> String {
        var parts = ["seal intact", signature(r)]
        if let folder, let replayed = VerdictFile.lastIdentical(in: folder, record: r) { parts.append(replayed) }
        return parts.joined(separator: ", ")
    }

    /// What a seal and a signature do not prove.
    public static let limits = """
        A seal is a SHA-256 of the record that anyone can recompute: intact, it shows the file was neither \
        damaged nor edited by hand since it was sealed, not who made it. A signature shows which key signed \
        (compare the fingerprint with one you trust), not whose key it is. Neither shows that the numbers are \
        right or reproducible: only a replay does (kymo replay RUN).
        """
}
