// VerdictWriter: `kymo replay` writes its verdict as a sealed
// `replay-<n>/verdict.json` (VerdictFile) tied to the seal of the record it
// judged, signed when the user's signing key exists (it is never created
// here: `kymo runs sign` makes it).

import Foundation
import KymoBase
import Records
import TensorEngine

enum VerdictWriter {
    static func write(_ report: ReplayReport, record: RunRecord, replayFolder: String, console: Console) {
        let host = HostEnvironment.stamp()
        let v = VerdictFile(report: report, at: Date(), threads: Engine.threads, record: record, numerics: host.numerics, build: host.build,
                            exitCode: report.verdict.exitStatus.rawValue)
        do {
            var signed: (data: Data, signer: String?)
            do { signed = try v.fileBytes(keyFolder: RecordSigning.keyFolder()) } catch {
                // A key that cannot be used (readable by others, damaged): sealed, not signed, and said.
                console.error("kymo replay: the verdict is not signed: \(error)\n")
                signed = (try v.fileBytes(), nil)
            }
            let (data, signer) = signed
            try AtomicFile.write(data, to: replayFolder + "/verdict.json")
            console.error("verdict written to \(replayFolder)/verdict.json (sealed\(signer.map { ", signed by " + $0 } ?? ""))\n")
        } catch {
            console.error("kymo replay: cannot write \(replayFolder)/verdict.json: \(error)\n")
        }
    }
}
