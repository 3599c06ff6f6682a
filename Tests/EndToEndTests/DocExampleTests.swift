// The docs run: every fenced block of README.md and docs/*.md whose info
// string carries the word `example` is executed by the built `kymo`, and its
// shown output compared with what the commands print now.
//
// - ```` ```kymo file=NAME ```` (with `example`): the block is written to NAME
//   in the document's scratch folder before the commands after it run.
// - ```` ```console example ````: lines starting with `$ ` are commands (run
//   with bash in the document's scratch folder, standard error merged into
//   standard output, `kymo` the built binary); the lines after a command, up
//   to the next one, are its output, compared line by line.
// - ```` ```repl example ````: a REPL transcript — `kymo> ` lines (and `  ... `
//   continuation lines) are the inputs, piped into `kymo repl`; the other
//   lines are its output, compared as above.
// - A run id shown in the output (`20261129-044904-b6daff`) stands for the
//   run id printed there now, and means that run in the commands after it
//   (ids are made from the start time, so no two runs share one).
// - Output that depends on the machine or the moment (durations, the CPU,
//   a path) is compared by pattern, and the block says so: its info string
//   has `pattern`, and `…` in a line matches any text, a line of `…` alone any
//   number of lines. `…` in a block without `pattern` fails the test.
// Each document runs in its own scratch folder, its blocks in order (later
// blocks see the runs of earlier ones), with HOME and XDG_CONFIG_HOME inside
// it and the digits where `kymo data` finds them. README.md states how many
// examples there are; this test checks that number.
import Foundation
import XCTest
import TestSupport

final class DocExampleTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    struct Block {
        var document: String
        var line: Int
        var info: [String]
        var text: [String]
        var isExample: Bool { info.contains("example") }
        var isREPL: Bool { info.contains("repl") }
        var isPattern: Bool { info.contains("pattern") }
        var file: String? { info.first { $0.hasPrefix("file=") }.map { String($0.dropFirst(5)) } }
    }

    /// The fenced blocks of a Markdown text, with their info strings.
    static func blocks(of text: String, document: String) -> [Block] {
        var out: [Block] = []
        var open: Block?
        var fence = ""
        var indent = 0   // a block inside a list item: its lines lose the fence's indentation
        for (n, raw) in text.components(separatedBy: "\n").enumerated() {
            let trimmed = raw.trimmingCharacters(in: .whitespaces)
            if var b = open {
                if trimmed == fence { out.append(b); open = nil } else {
                    let lead = raw.prefix { $0 == " " }.count
                    b.text.append(String(raw.dropFirst(min(lead, indent))))
                    open = b
                }
            } else if trimmed.hasPrefix("```") {
                indent = raw.prefix { $0 == " " }.count
                fence = String(trimmed.prefix { $0 == "`" })
                let info = trimmed.dropFirst(fence.count).split(separator: " ").map(String.init)
                open = Block(document: document, line: n + 1, info: info, text: [])
            }
        }
        return out
    }

    static func documents() throws -> [(name: String, text: String)] {
        var names = ["README.md"]
        names += try FileManager.default.contentsOfDirectory(atPath: root + "/docs").filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
        return try names.map { ($0, try String(contentsOfFile: root + "/" + $0, encoding: .utf8)) }
    }

    static let runID = "[0-9]{8}-[0-9]{6}-[0-9a-f]{6}"

    /// Matches `actual` against the shown lines; binds the shown run ids to
    /// the printed ones. Nil when it matches, else a description of the first mismatch.
    static func compare(shown: [String], actual: String, pattern: Bool, ids: inout [String: String]) -> String? {
        var lines = actual.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        var expected = shown
        while expected.last == "" { expected.removeLast() }
        var regex = "^"
        var groups: [String: String] = [:]   // shown id → group name, for ids first seen in this output
        let idRegex = try! NSRegularExpression(pattern: runID)
        for (k, line) in expected.enumerated() {
            if pattern && line.trimmingCharacters(in: .whitespaces) == "…" {
                if k == expected.count - 1 {
                    if regex.hasSuffix("\\n") { regex.removeLast(2) }
                    regex += "(?:\\n[\\s\\S]*)?"
                } else {
                    regex += "(?:[^\\n]*\\n)*?"
                }
                continue
            }
            var piece = ""
            var rest = line
            while !rest.isEmpty {
                guard let m = idRegex.firstMatch(in: rest, range: NSRange(rest.startIndex..., in: rest)),
                      let r = Range(m.range, in: rest) else {
                    piece += literal(rest, pattern: pattern)
                    break
                }
                piece += literal(String(rest[..<r.lowerBound]), pattern: pattern)
                let id = String(rest[r])
                if let bound = ids[id] { piece += NSRegularExpression.escapedPattern(for: bound) }
                else if let g = groups[id] { piece += "\\k<\(g)>" }
                else { let g = "id\(groups.count)"; groups[id] = g; piece += "(?<\(g)>\(runID))" }
                rest = String(rest[r.upperBound...])
            }
            regex += piece + (k == expected.count - 1 ? "" : "\\n")
        }
        regex += "\\n?$"
        let text = lines.joined(separator: "\n")
        guard let re = try? NSRegularExpression(pattern: regex, options: []),
              let m = re.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else {
            // Run ids are not the difference: shown ids as bound, others as one placeholder.
            func plain(_ l: String) -> String {
                var t = l
                for (doc, now) in ids { t = t.replacingOccurrences(of: doc, with: now) }
                return idRegex.stringByReplacingMatches(in: t, range: NSRange(t.startIndex..., in: t), withTemplate: "<id>")
            }
            return firstDifference(shown: expected.map(plain), actual: lines.map(plain))
        }
        for (id, g) in groups {
            if let r = Range(m.range(withName: g), in: text) { ids[id] = String(text[r]) }
        }
        return nil
    }

    static func literal(_ s: String, pattern: Bool) -> String {
        guard pattern else { return NSRegularExpression.escapedPattern(for: s) }
        return s.components(separatedBy: "…").map { NSRegularExpression.escapedPattern(for: $0) }.joined(separator: "[^\\n]*?")
    }

    static func firstDifference(shown: [String], actual: [String]) -> String {
        for k in 0..<max(shown.count, actual.count) {
            let a = k < shown.count ? shown[k] : "(nothing)", b = k < actual.count ? actual[k] : "(nothing)"
            if a.contains("…") { return "from line \(k + 1) on (a pattern), the lines differ" }
            if a != b { return "line \(k + 1):\n  shown: \(a)\n  now:   \(b)" }
        }
        return "the lines differ"
    }

    func testEveryExampleInTheDocsRunsAsShown() throws {
        let binary = try KymoBinary.require()
        let docs = try Self.documents()
        let all = docs.flatMap { Self.blocks(of: $0.text, document: $0.name) }.filter(\.isExample)
        let commands = all.filter { $0.file == nil }
        // README.md says how many there are.
        let readme = docs[0].text
        let stated = readme.range(of: #"runs the ([0-9]+) examples"#, options: .regularExpression)
            .map { readme[$0].split(separator: " ")[2] }.flatMap { Int($0) }
        XCTAssertEqual(stated, commands.count, "README.md states \(stated.map(String.init) ?? "no") count of the docs' examples; there are \(commands.count)")
        let bin = RecordFixtures.scratch("docbin")
        try FileManager.default.createSymbolicLink(atPath: bin + "/kymo", withDestinationPath: binary)
        // The examples train on the real digits, found as kymo finds them.
        let dataFolder = ProcessInfo.processInfo.environment["KYMO_DATA"]
            ?? (FileManager.default.fileExists(atPath: Self.root + "/data/mnist_5k.csv.gz") ? Self.root + "/data"
                : (ProcessInfo.processInfo.environment["XDG_DATA_HOME"].map { $0 + "/kymo" } ?? NSHomeDirectory() + "/.local/share/kymo"))
        guard FileManager.default.fileExists(atPath: dataFolder + "/mnist_5k.csv.gz") else {
            throw missingInCI("no mnist_5k.csv.gz in \(dataFolder) for the docs' examples (kymo data fetch)")
        }
        var failures: [String] = []
        var ran = 0
        for doc in docs {
            let blocks = Self.blocks(of: doc.text, document: doc.name).filter(\.isExample)
            guard !blocks.isEmpty else { continue }
            let dir = RecordFixtures.scratch("doc" + doc.name)
            var env = ["HOME": dir + "/home", "XDG_CONFIG_HOME": dir + "/home/.config", "PATH": bin + ":/usr/bin:/bin",
                       "TERM": "dumb", "LC_ALL": "C.UTF-8"]
            env["KYMO_DATA"] = dataFolder
            var ids: [String: String] = [:]
            for b in blocks {
                let place = "\(b.document):\(b.line)"
                if let file = b.file {
                    let path = dir + "/" + file
                    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    try (b.text.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
                    continue
                }
                if !b.isPattern, let k = b.text.firstIndex(where: { $0.contains("…") }) {
                    failures.append("\(place): line \(k + 1) uses … but the block is not marked `pattern`")
                    continue
                }
                // Commands and their shown output.
                var steps: [(command: String, shown: [String])] = []
                if b.isREPL {
                    // The transcript's inputs go to `kymo repl` through a file; the rest is its output.
                    var inputs: [String] = [], shown: [String] = []
                    for line in b.text {
                        if line.hasPrefix("kymo> ") { inputs.append(String(line.dropFirst(6))) }
                        else if line.hasPrefix("  ... ") { inputs.append(String(line.dropFirst(6))) }
                        else { shown.append(line) }
                    }
                    let file = "repl-input-\(b.line).txt"
                    try (inputs.joined(separator: "\n") + "\n").write(toFile: dir + "/" + file, atomically: true, encoding: .utf8)
                    steps = [("kymo repl < " + file, shown)]
                }
                for line in b.text where !b.isREPL {
                    if line.hasPrefix("$ ") { steps.append((String(line.dropFirst(2)), [])) }
                    else if !steps.isEmpty { steps[steps.count - 1].shown.append(line) }
                }
                if steps.isEmpty { failures.append("\(place): an example block with no `$ ` command or `kymo> ` input"); continue }
                ran += 1
                for (command, shown) in steps {
                    var cmd = command
                    for (doc, now) in ids { cmd = cmd.replacingOccurrences(of: doc, with: now) }
                    let r = try KymoBinary.execute("/bin/bash", ["-c", cmd + " 2>&1"], in: dir, environment: env)
                    if let why = Self.compare(shown: shown, actual: r.out, pattern: b.isPattern, ids: &ids) {
                        failures.append("\(place): $ \(command)\n\(why)\n--- printed now ---\n\(r.out)")
                        break
                    }
                }
            }
        }
        print("doc examples: ran \(ran) examples (commands and REPL transcripts) of README.md and docs/*.md, \(failures.count) failed")
        XCTAssertEqual(ran, commands.count)
        XCTAssertTrue(failures.isEmpty, failures.joined(separator: "\n\n"))
    }

    /// The harness itself: ids bind, `…` matches only in pattern blocks, a changed number fails.
    func testTheComparisonBindsIdsAndMatchesPatterns() {
        var ids: [String: String] = [:]
        XCTAssertNil(Self.compare(shown: ["run 20261129-044904-b6daff: complete, 3/3 cells in …"], actual: "run 20270101-000000-abcdef: complete, 3/3 cells in 0.4s\n",
                                  pattern: true, ids: &ids))
        XCTAssertEqual(ids["20261129-044904-b6daff"], "20270101-000000-abcdef")
        XCTAssertNotNil(Self.compare(shown: ["id 20261129-044904-b6daff"], actual: "id 20270101-000000-ffffff\n", pattern: false, ids: &ids))
        XCTAssertNil(Self.compare(shown: ["a", "…", "d"], actual: "a\nb\nc\nd\n", pattern: true, ids: &ids))
        XCTAssertNotNil(Self.compare(shown: ["a", "…", "d"], actual: "a\nb\nc\nd\n", pattern: false, ids: &ids))
        XCTAssertNotNil(Self.compare(shown: ["loss 0.19032371"], actual: "loss 0.19032372\n", pattern: true, ids: &ids))
        XCTAssertNil(Self.compare(shown: ["x  (1.2s)"], actual: "x  (1.2s)", pattern: false, ids: &ids))
    }
}
