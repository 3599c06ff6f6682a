// EditDistance: "did you mean …" for unknown names, argument labels, record
// keys and choices. Damerau–Levenshtein (optimal string alignment), so a
// swapped pair of letters costs one edit.

public enum EditDistance {
    /// Edits needed to turn `a` into `b`.
    public static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev2 = [Int](repeating: 0, count: b.count + 1)
        var prev = Array(0...b.count)
        var cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var best = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    best = min(best, prev2[j - 2] + 1)
                }
                cur[j] = best
            }
            (prev2, prev, cur) = (prev, cur, prev2)
        }
        return prev[b.count]
    }

    /// The closest candidate within a distance that scales with the name's
    /// length (1 for short names, up to 3), or nil. Ties go to the earlier
    /// candidate, so the answer never depends on hashing order.
    public static func suggestion<S: Sequence>(for name: String, among candidates: S) -> String? where S.Element == String {
        let limit = max(1, min(3, name.count / 3))
        var best: (String, Int)?
        for c in candidates where c != name {
            let d = distance(name.lowercased(), c.lowercased())
            if d <= limit, best == nil || d < best!.1 { best = (c, d) }
        }
        return best?.0
    }
}
