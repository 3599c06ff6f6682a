// FigureMetadata: what a saved figure file says about itself — the PDF's
// document information (Title, Subject, Creator, CreationDate and ModDate),
// the SVG's <title>, the PNG's Title and Software text chunks. Nothing in it
// comes from the clock at render time: the date is the run's recorded start
// (a replay uses the replayed record's), so replays write the same bytes.

public struct FigureMetadata: Sendable, Equatable {
    /// When figures saved without a run's date say they were made.
    public static let pinnedDate = "2000-01-01T00:00:00Z"

    /// ISO 8601 UTC to the second ("2026-12-06T10:15:42Z"), or nil: `pinnedDate`.
    public var date: String?
    /// The program, "Kymo 0.1.0" (its version, never the build commit).
    public var creator: String
    /// What the figure shows ("loss curves of 3 run(s)"); the Title when the figure has no title.
    public var subject: String?

    public init(date: String? = nil, creator: String = "Kymo", subject: String? = nil) {
        self.date = date; self.creator = creator; self.subject = subject
    }

    /// `date` (or the pinned one) as written: a record's time
    /// ("2026-11-29T03:55:12.345Z") cut to whole seconds, UTC.
    public var documentDate: String {
        guard let d = date, d.count >= 19 else { return Self.pinnedDate }
        let head = String(d.prefix(19))
        let ok = head.enumerated().allSatisfy { i, c in
            switch i {
            case 4, 7: return c == "-"
            case 10: return c == "T"
            case 13, 16: return c == ":"
            default: return c.isASCII && c.isNumber
            }
        }
        return ok ? head + "Z" : Self.pinnedDate
    }
}

extension Figure {
    /// The document's title: the figure's own, else what it shows, else "Kymo figure".
    public var documentTitle: String {
        if let t = title, !t.isEmpty { return t }
        return metadata.subject ?? "Kymo figure"
    }
}
