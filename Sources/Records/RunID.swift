// RunID: run ids, `<UTC yyyyMMdd-HHmmss>-<6 hex>`, unique per start.

import Foundation

public enum RunID {
    /// `<UTC yyyyMMdd-HHmmss>-<6 hex>`; the hash covers the notebook, seed,
    /// overrides, the exact start time and the process, so two runs started
    /// in the same second get different ids. `salt` breaks the rare collision.
    public static func make(start: Date, notebookSHA256: String, seed: UInt64, overrides: [Override],
                            salt: Int = 0) -> String {
        var content = "\(notebookSHA256)\n\(seed)\n"
        for o in overrides { content += "\(o.key)=\(o.value)\n" }
        content += "\(start.timeIntervalSince1970.bitPattern)\n\(getpid())\n\(salt)"
        return RecordTime.idPrefix(start) + "-" + String(RecordHash.hex(of: content).prefix(6))
    }

    /// Whether `text` has the shape of a run id.
    public static func isWellFormed(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 8, parts[1].count == 6, parts[2].count >= 6 else { return false }
        return parts[0].allSatisfy(\.isNumber) && parts[1].allSatisfy(\.isNumber) && parts[2].allSatisfy(\.isHexDigit)
    }
}
