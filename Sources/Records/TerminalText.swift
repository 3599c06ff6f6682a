// TerminalText: a string from a record made safe to show — on a terminal
// (`kymo runs show`, `replay`, `resume`, `runs diff`) or in HTML. Control
// characters (C0 but newline and tab, DEL, C1: ESC sequences that move the
// cursor or rewrite lines) and Unicode bidi controls (U+202A–U+202E,
// U+2066–U+2069, U+200E/F, U+061C: text that reads in another order than it
// is stored) are shown escaped as `\u{1b}`, so what a record says is what
// the reader sees. `line` also escapes newlines and tabs, for one-line fields.
// Deliberately not: width or colour handling.

import Foundation

public enum TerminalText {
    /// Whether `c` reorders text (a bidi embedding, override, isolate or mark).
    public static func isBidiControl(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: return true
        default: return false
        }
    }

    /// Whether `c` is shown escaped (newline and tab kept unless `oneLine`).
    public static func isUnsafe(_ c: Unicode.Scalar, oneLine: Bool = false) -> Bool {
        if c == "\n" || c == "\t" { return oneLine }
        return c.value < 0x20 || (c.value >= 0x7F && c.value < 0xA0) || isBidiControl(c)
    }

    /// `s` with every unsafe scalar written `\u{…}` (lowercase hex).
    public static func safe(_ s: String, oneLine: Bool = false) -> String {
        guard s.unicodeScalars.contains(where: { isUnsafe($0, oneLine: oneLine) }) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 16)
        for c in s.unicodeScalars {
            if isUnsafe(c, oneLine: oneLine) { out += "\\u{\(String(c.value, radix: 16))}" } else { out.unicodeScalars.append(c) }
        }
        return out
    }

    /// One line: newlines and tabs escaped too.
    public static func line(_ s: String) -> String { safe(s, oneLine: true) }

    /// A path as a shell reads it back: as is when it holds only safe
    /// characters, else in single quotes (`'my runs/a b'`); unsafe scalars escaped.
    public static func quotedPath(_ path: String) -> String {
        let plain = !path.isEmpty && path.unicodeScalars.allSatisfy { c in
            c.properties.isAlphabetic || ("0"..."9").contains(c) || "/._-+:,=@%~".unicodeScalars.contains(c)
        }
        if plain { return line(path) }
        return "'" + line(path).replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
