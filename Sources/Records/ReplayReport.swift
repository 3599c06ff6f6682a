// ReplayReport: the outcome of comparing a recorded run with its replay —
// the verdict, every difference found (the first numeric one early), counts
// per category, notes — and how it reads on a terminal.

import Foundation

public struct ReplayReport {
    /// Every difference, in cell order.
    public var differences: [FoundDifference] = []
    /// Per category, how many are identical and how many differ.
    public var counts: [DifferenceCategory: CategoryCount] = [:]
    /// Environment parts that changed (recorded → now).
    public var environmentChanges: [EnvironmentFingerprint.Change]
    /// Build parts that changed (version, commit).
    public var buildChanges: [EnvironmentFingerprint.Change]
    /// What was compared, and any limits (an interrupted recording).
    public var notes: [String]
    public var comparedCells: Int
    public var comparedSeries: Int
    public var comparedPoints: Int
    public var comparedArtifacts: Int

    /// The environment parts whose change could alter this record's bits
    /// (`EnvironmentFingerprint.numericParts(for:)`); empty when both sides
    /// run the same numerics version.
    public var numericParts: Set<String>
    /// The numerics version both sides run (`kymo-numerics-2`), when they run
    /// the same one: then any numeric difference is unexplained.
    public var sameNumerics: String?

    public init(environmentChanges: [EnvironmentFingerprint.Change], buildChanges: [EnvironmentFingerprint.Change],
                numericParts: Set<String> = EnvironmentFingerprint.legacyNumericParts) {
        self.environmentChanges = environmentChanges
        self.buildChanges = buildChanges
        self.numericParts = numericParts
        notes = []
        comparedCells = 0; comparedSeries = 0; comparedPoints = 0; comparedArtifacts = 0
    }

    public var verdict: Verdict {
        if differences.isEmpty { return .identical }
        return differences.contains { $0.kind.isNumeric } ? .diverged : .identicalNumbers
    }

    public var isIdentical: Bool { differences.isEmpty }

    /// The first numeric divergence (else the first difference), with what
    /// else differs in its cell.
    public var divergence: Divergence? {
        guard let first = differences.first(where: { $0.kind.isNumeric }) ?? differences.first else { return nil }
        let others = differences.filter { $0.cell == first.cell && $0 != first && first.cell != nil }
        return Divergence(cell: first.cell, cellTitle: first.cellTitle, difference: first.difference,
                          alsoDiffering: others.map { ReplayCompare.brief($0.difference) })
    }

    /// True when a changed part of the environment can change floating-point
    /// results: only for records made before numerics versions (both sides
    /// without one), whose bits followed the BLAS kernel and the CPU.
    public var isDrift: Bool {
        sameNumerics == nil && environmentChanges.contains { numericParts.contains($0.part) }
    }

    /// The first divergence is numeric and nothing explains it, under one numerics version.
    public var isUnexplained: Bool {
        guard sameNumerics != nil, let d = differences.first(where: { $0.kind.isNumeric }) else { return false }
        if case .numeric = d.kind { return true }
        return false
    }

    /// One line: `identical: 4 cells, …` or `diverged at cell 2 …`.
    public var summaryLine: String {
        switch verdict {
        case .identical:
            return "identical: \(comparedCells) cell\(comparedCells == 1 ? "" : "s"), \(comparedSeries) metric series (\(comparedPoints) point\(comparedPoints == 1 ? "" : "s")), \(comparedArtifacts) artifact\(comparedArtifacts == 1 ? "" : "s")"
        case .identicalNumbers:
            return "identical numbers: \(differences.count) text difference\(differences.count == 1 ? "" : "s"), every number agrees"
        case .diverged:
            return divergence.map { $0.headline } ?? "diverged"
        }
    }

    /// The summary per category: `printed lines  12 identical, 1 differs (text only)`.
    public var categoryLines: [String] {
        DifferenceCategory.allCases.compactMap { c in
            let n = counts[c] ?? CategoryCount()
            guard n.identical + n.differing > 0 || c != .cells else { return nil }
            var line = c.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0) + "\(n.identical) identical"
            if n.differing > 0 {
                let kinds = Set(differences.filter { $0.category == c }.map { short($0.kind) }).sorted()
                line += ", \(n.differing) differ" + (kinds.isEmpty ? "" : " (" + kinds.joined(separator: ", ") + ")")
            }
            return line
        }
    }

    private func short(_ k: DifferenceClass) -> String {
        switch k {
        case .numeric: return "numeric"
        case .textOnly: return "text only"
        case .explained: return "explained"
        case .input: return "input content"
        }
    }

    /// The text `kymo replay` prints: the verdict on the first line
    /// (`identical`, `identical numbers` or `diverged at …`), then details,
    /// every difference with its class, and the summary per category.
    public func render() -> String {
        var lines: [String] = []
        switch verdict {
        case .identical:
            lines.append("identical")
            var what = "compared \(comparedCells) cell\(comparedCells == 1 ? "" : "s")"
            what += ", \(comparedSeries) metric series (\(comparedPoints) point\(comparedPoints == 1 ? "" : "s"))"
            what += ", \(comparedArtifacts) artifact\(comparedArtifacts == 1 ? "" : "s")"
            lines.append("  " + what)
        case .identicalNumbers:
            lines.append("identical numbers")
            lines.append("  every number agrees; text differs:")
        case .diverged:
            if let d = divergence {
                lines.append(d.headline)
                if isUnexplained, let n = sameNumerics {
                    lines.append("  same numerics version (\(n)): this should have been identical")
                }
                lines += d.details.map { "  " + $0 }
            }
        }
        if verdict != .identical {
            lines.append("differences (\(differences.count)):")
            for d in differences { lines.append("  " + d.line) }
            for d in differences where verdict == .identicalNumbers && d.category == .output {
                lines += d.difference.details.map { "    " + $0 }
            }
        }
        lines += notes.map { "  note: " + $0 }
        lines.append("summary:")
        lines += categoryLines.map { "  " + $0 }
        if !environmentChanges.isEmpty || !buildChanges.isEmpty {
            lines.append("environment changed since the recording:")
            for c in buildChanges + environmentChanges {
                lines.append("  \(c.part): \(c.recorded) → \(c.now)")
            }
            if let n = sameNumerics {
                lines.append("  both sides run numerics \(n): none of these changes a bit of the results")
            } else if verdict == .diverged && isDrift {
                lines.append("  the record predates numerics versions (its bits followed the BLAS kernel and the CPU):"
                             + " these changes can explain its differences")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
