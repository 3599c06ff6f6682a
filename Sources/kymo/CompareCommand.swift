// `kymo runs compare SWEEP_OR_RUNS… [--by KEY] [--csv | --json]`: the runs
// of one or more sweeps (or runs named one by one) grouped into
// configurations — only the `--set` keys that differ are shown — with each
// metric's last value as mean ± sample sd, n and a 95 % t-interval, and with
// `--by KEY` Welch's t-test between KEY's groups (RunComparison). Points
// without a complete record with an intact seal are listed on stderr and
// left out; the records' signature status is stated (RecordChecks), and
// `--signed-only` keeps only records whose signature verifies.

import ArgumentParser
import Foundation
import Records

extension Runs {
    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Metrics per configuration as mean ± sd over seeds with a 95 % interval; --by KEY tests the groups (Welch's t).",
            discussion: """
                EXAMPLES:
                  kymo runs compare sweep-32b6239f0d8c
                  kymo runs compare sweep-32b6239f0d8c --by hidden --json
                """)

        @Argument(help: ArgumentHelp("Sweeps (sweep-<id>, a prefix, or a sweep folder) and runs (ids, prefixes, folders).", valueName: "sweep-or-run"))
        var references: [String]

        @Option(help: "Compare the groups of this --set key (for example --by family), within each combination of the other keys.")
        var by: String?

        @Option(name: .customLong("metric"), help: "Show only this metric series (repeatable; default: every series).")
        var metricNames: [String] = []

        @Flag(help: "CSV instead of a table.")
        var csv = false

        @Flag(help: "JSON instead of a table.")
        var json = false

        @Flag(help: "Compare only records signed with a signature that verifies (kymo runs sign); the others are named on stderr.")
        var signedOnly = false

        @OptionGroup var runs: RunsFolderOption

        func validate() throws {
            if references.isEmpty { throw ValidationError("name at least one sweep or run") }
            if csv && json { throw ValidationError("--csv and --json are exclusive") }
        }

        func run() throws {
            var records: [RunRecord] = [], seen = Set<String>(), notes: [String] = [], headers: [String] = [], fromSweeps = Set<String>()
            do {
                for ref in references {
                    if let found = try SweepStore.resolve(ref, in: runs.stores) {
                        let (store, sweep) = (found.store, found.sweep)
                        let (rs, missing) = SweepStore.records(of: sweep, in: store)
                        headers.append("sweep \(sweep.id): \(sweep.notebook.path), \(rs.count) of \(sweep.points.count) points complete")
                        notes += missing.map { "\(sweep.id) \($0)" }
                        for r in rs where seen.insert(r.id).inserted { records.append(r); fromSweeps.insert(r.id) }
                    } else {
                        let r = try runs.load(ref).record
                        guard r.status == .complete else { notes.append("run \(r.id) is \(r.status.rawValue); left out"); continue }
                        if seen.insert(r.id).inserted { records.append(r) }
                    }
                }
            } catch {
                throw recordFailure("runs compare", error)
            }
            let (unique, duplicates) = CompareDuplicates.oneRecordPerPoint(records, fromSweeps: fromSweeps)
            records = unique
            notes += duplicates
            if signedOnly {
                for r in records where !RecordChecks.isSigned(r) { notes.append("run \(r.id) is unsigned; left out (--signed-only)") }
                records = records.filter(RecordChecks.isSigned)
            }
            for n in notes { FileHandle.standardError.write(Data("kymo runs compare: \(TerminalText.safe(n))\n".utf8)) }
            guard !records.isEmpty else { throw recordFailure("runs compare", ComparisonError(message: "no complete runs to compare")) }
            if Set(records.map(\.notebook.sha256)).count > 1 {
                FileHandle.standardError.write(Data("kymo runs compare: note: the runs come from \(Set(records.map(\.notebook.sha256)).count) different notebook texts\n".utf8))
            }
            let comparison: RunComparison
            do { comparison = try RunComparison(records: records, by: by, only: metricNames.isEmpty ? nil : metricNames) } catch { throw recordFailure("runs compare", error) }
            let out: String
            let signatures = Self.signatureLine(records)
            if csv || json { FileHandle.standardError.write(Data("kymo runs compare: \(signatures)\n".utf8)) }
            if csv { out = comparison.csv() } else if json { out = comparison.json() } else {
                out = (headers.isEmpty ? "" : headers.joined(separator: "\n") + "\n") + "\(records.count) complete run\(records.count == 1 ? "" : "s"), \(comparison.configurations.count) configuration\(comparison.configurations.count == 1 ? "" : "s")\n" + signatures + "\n" + comparison.text()
            }
            FileHandle.standardOutput.write(Data((json ? out : TerminalText.safe(out)).utf8))
        }

        /// `records: seal intact; 9 unsigned` or `records: seal intact; 3 signed by 3f9a …, 6 unsigned`.
        static func signatureLine(_ records: [RunRecord]) -> String {
            var bySigner: [String: Int] = [:], unsigned = 0
            for r in records {
                if RecordChecks.isSigned(r) { bySigner[RecordChecks.signature(r), default: 0] += 1 } else { unsigned += 1 }
            }
            var parts = bySigner.keys.sorted().map { "\(bySigner[$0]!) \($0)" }
            if unsigned > 0 { parts.append("\(unsigned) unsigned") }
            return "records: seal intact; " + parts.joined(separator: ", ")
        }
    }
}
