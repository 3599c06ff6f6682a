// CellOutcome+Session: the one way a cell that ran becomes what its record
// keeps — the digests of the values it bound (and of its final value), its
// metric series captured, and the `CellOutcome` the recorder writes. Used by
// recorded runs (RecordRunner) and REPL sessions (ReplRecorder) alike.

import Foundation
import KymoLanguage
import Records

extension CellOutcome {
    /// The digests of what cell `r` bound and evaluated to; captures its
    /// metric series into `book` on the way.
    static func values(of r: CellResult, in session: Session, book: MetricBook) -> [ValueDigest] {
        let bound = session.values(boundBy: r.index)
        var values = ValueDigester.digests(bound)
        if let v = r.value, !v.isNil { values.append(ValueDigest(name: "(value)", type: v.typeName, sha256: ValueDigester.digest(v))) }
        book.capture(session: session, bound: bound)
        return values
    }

    /// What the record keeps of cell `r` (numbered `index`, titled `title`).
    init(_ r: CellResult, index: Int, title: String?, values: [ValueDigest], startedAt: Date) {
        self.init(index: index, title: title, source: r.source, output: r.output, values: values,
                  startedAt: startedAt, duration: r.duration, status: r.status,
                  error: r.diagnostics.isEmpty ? nil : r.diagnostics.map(DiagnosticFormatter.render).joined())
    }
}
