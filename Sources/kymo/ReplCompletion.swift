// ReplCompletion: what Tab offers in the REPL, from the text before the
// cursor: `:commands` after a leading `:`; file and folder names after
// `:load` (quoted or not) and inside a string literal; inside a built-in
// call, its argument labels (`train(m, d, st` → `steps:`) before other
// names; else built-ins, variables, keywords and members (Session.completions).

import Foundation
import KymoLanguage
import Notebook

enum ReplCompletion {
    static let commands = ["help", "vars", "load", "quit"]

    /// The completions of `word` (the text from the last word break to the
    /// cursor) given `line`, the current line up to the cursor.
    static func complete(line: String, word: String, session: Session) -> [String] {
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        if trimmed.hasPrefix(":") {
            let rest = trimmed.dropFirst()
            guard let space = rest.firstIndex(of: " ") else { return commands.filter { $0.hasPrefix(word) } }
            let command = rest[..<space]
            let argument = rest[rest.index(after: space)...].drop { $0 == " " }
            switch command {
            case "load", "l": return files(typed: unquoted(String(argument)), word: word)
            case "help", "h": return session.completions(for: word).filter { !$0.contains(".") }
            default: return []
            }
        }
        if let path = openString(line) { return files(typed: path, word: word) }
        if !word.contains("."), let callee = enclosingCall(line), let builtin = session.registry.builtin(callee) {
            let used = Set(labelsUsed(line))
            let labels = builtin.signature.parameters.filter { $0.labeled && !used.contains($0.name) }.map { $0.name + ":" }
                .filter { $0.hasPrefix(word) }
            if !labels.isEmpty { return labels }
        }
        return session.completions(for: word)
    }

    /// `"my nb.kymo"` → `my nb.kymo` (an open quote too).
    static func unquoted(_ s: String) -> String {
        var t = s
        if let q = t.first, q == "\"" || q == "'" {
            t.removeFirst()
            if t.last == q { t.removeLast() }
        }
        return t
    }

    /// The text of the string literal the cursor is in, or nil outside one.
    static func openString(_ line: String) -> String? {
        var inside = false, escaped = false
        var current = ""
        for c in line {
            if inside {
                if escaped { escaped = false; current.append(c); continue }
                if c == "\\" { escaped = true; continue }
                if c == "\"" { inside = false; continue }
                current.append(c)
            } else if c == "\"" {
                inside = true
                current = ""
            } else if c == "#" {
                return nil
            }
        }
        return inside ? current : nil
    }

    /// The names in the folder of `typed` (what is typed of the path so far)
    /// that start with `word` (the part after the last break character), with
    /// `/` after a folder. Hidden files only when `word` starts with `.`.
    static func files(typed: String, word: String) -> [String] {
        let folderPart: String
        if let slash = typed.lastIndex(of: "/") { folderPart = String(typed[...slash]) } else { folderPart = "" }
        let expanded = folderPart.hasPrefix("~/") ? NSHomeDirectory() + folderPart.dropFirst() : folderPart
        let folder = expanded.isEmpty ? "." : expanded
        // The word readline replaces starts after the last break character; the
        // name typed so far is what follows the last `/` of the path.
        let namePrefix = typed.hasSuffix(word) ? String(typed[(typed.lastIndex(of: "/").map { typed.index(after: $0) } ?? typed.startIndex)...]) : word
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        var out: [String] = []
        for name in names where name.hasPrefix(namePrefix) && (!name.hasPrefix(".") || namePrefix.hasPrefix(".")) {
            var isDir: ObjCBool = false
            FileManager.default.fileExists(atPath: folder + "/" + name, isDirectory: &isDir)
            // Replace `word` only: keep what of the name lies before it.
            let lead = namePrefix.count >= word.count ? String(namePrefix.dropLast(word.count)) : ""
            let completed = String(name.dropFirst(lead.count))
            out.append(completed + (isDir.boolValue ? "/" : ""))
        }
        return out
    }

    /// The name of the innermost call still open before the cursor: `train` in `train(m, d, st`.
    static func enclosingCall(_ line: String) -> String? {
        var depth = 0
        let chars = Array(line)
        var i = chars.count - 1
        var inString = false
        while i >= 0 {
            let c = chars[i]
            if c == "\"" { inString.toggle() }
            if !inString {
                if c == ")" || c == "]" || c == "}" { depth += 1 }
                if c == "(" || c == "[" || c == "{" {
                    if depth == 0 {
                        guard c == "(" else { return nil }
                        var j = i - 1
                        while j >= 0, chars[j] == " " { j -= 1 }
                        var name = ""
                        while j >= 0, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" { name = String(chars[j]) + name; j -= 1 }
                        if j >= 0, chars[j] == "." { return nil }   // a method: not a built-in's labels
                        return name.isEmpty ? nil : name
                    }
                    depth -= 1
                }
            }
            i -= 1
        }
        return nil
    }

    /// Labels already given in the innermost open call (`steps` in `train(m, d, steps: 3, b`).
    static func labelsUsed(_ line: String) -> [String] {
        guard let open = line.lastIndex(of: "(") else { return [] }
        let args = line[line.index(after: open)...]
        var out: [String] = []
        for part in args.split(separator: ",") {
            let t = part.trimmingCharacters(in: .whitespaces)
            if let colon = t.firstIndex(of: ":") {
                let label = String(t[..<colon])
                if !label.isEmpty, label.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) { out.append(label) }
            }
        }
        return out
    }
}
