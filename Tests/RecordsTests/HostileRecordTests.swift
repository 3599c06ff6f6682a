// A stranger's record, opened: hostile fixtures made here in Swift, each
// refused or neutralised — artifact copies leading out of the run folder or
// through a symlink, or not the recorded bytes (finding 1); SVG carrying
// script (2); terminal escapes and bidi overrides in what `runs show`
// prints (6); duplicate JSON keys and absurd durations (7, 8); a
// `signedAt` edited after signing, titles and error texts changed (9); the
// origin mark `kymo resume` trusts (5); special files as inputs (8).
import Crypto
import Foundation
import XCTest
import TestSupport
@testable import Records

final class HostileRecordTests: XCTestCase {
    var dir: String!

    override func setUp() { dir = RecordFixtures.scratch(name) }

    func write(_ text: String, _ path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    // MARK: 1. the run folder's path policy

    func testFilesInARunFolderAreReadOnlyInsideItWithoutSymlinks() throws {
        let run = dir + "/run", secret = dir + "/secret.txt"
        try write("TOP SECRET", secret)
        try write("fine", run + "/artifacts/ok.txt")
        XCTAssertEqual(try RecordFolderFile.read("artifacts/ok.txt", in: run), Data("fine".utf8))
        for name in ["../secret.txt", "artifacts/../../secret.txt", secret, "", "artifacts//ok.txt", "./artifacts/ok.txt"] {
            XCTAssertThrowsError(try RecordFolderFile.read(name, in: run), name) { e in
                XCTAssertTrue("\(e)".contains("does not name a file inside the run folder"), "\(e)")
            }
        }
        // A symlink as the file, and as a folder on the way: never followed.
        try FileManager.default.createSymbolicLink(atPath: run + "/artifacts/loss.svg", withDestinationPath: secret)
        try FileManager.default.createSymbolicLink(atPath: run + "/linked", withDestinationPath: dir)
        XCTAssertThrowsError(try RecordFolderFile.read("artifacts/loss.svg", in: run)) { XCTAssertTrue("\($0)".contains("symlink"), "\($0)") }
        XCTAssertThrowsError(try RecordFolderFile.read("linked/secret.txt", in: run)) { XCTAssertTrue("\($0)".contains("symlink"), "\($0)") }
        // A FIFO does not block and is refused.
        XCTAssertEqual(mkfifo(run + "/artifacts/pipe.svg", 0o600), 0)
        XCTAssertThrowsError(try RecordFolderFile.read("artifacts/pipe.svg", in: run)) { XCTAssertTrue("\($0)".contains("not a regular file"), "\($0)") }
        // An artifact is shown only with its recorded size and SHA-256.
        let ok = Data("fine".utf8)
        var a = ArtifactRecord(path: "ok.txt", cell: 0, size: ok.count, sha256: RecordHash.hex(of: ok), copy: "artifacts/ok.txt")
        XCTAssertEqual(RecordFolderFile.artifact(a, in: run), .verified(ok))
        a.sha256 = String(repeating: "0", count: 64)
        guard case .refused(let why) = RecordFolderFile.artifact(a, in: run) else { return XCTFail() }
        XCTAssertTrue(why.contains("SHA-256"), why)
        a = ArtifactRecord(path: "loss.svg", cell: 0, size: 10, sha256: RecordHash.hex(of: Data("TOP SECRET".utf8)), copy: "artifacts/loss.svg")
        guard case .refused(let link) = RecordFolderFile.artifact(a, in: run) else { return XCTFail("a symlink to a file with the recorded hash is still refused") }
        XCTAssertTrue(link.contains("symlink"), link)
    }

    func testARecordWhoseArtifactCopyLeadsOutIsRefused() throws {
        for copy in ["../../home/secret.txt", "/home/u/.config/kymo/signing-key", "artifacts/../../x"] {
            var r = RecordFixtures.record()
            r.artifacts[0].copy = copy
            let data = try RecordSeal.fileBytes(&r)
            XCTAssertThrowsError(try RunStore.decode(data, path: "record.json"), copy) { e in
                XCTAssertTrue("\(e)".contains("leads out of the run folder"), "\(e)")
            }
        }
    }

    // MARK: 2. SVG

    static let hostileSVG = """
    <?xml version="1.0"?>
    <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10" onload="alert(1)">
    <script>document.title = 'P' + 'WNED'</script>
    <script xlink:href="data:text/javascript,alert(2)"/>
    <style>@import url(http://attacker.example/x.css);</style>
    <defs><clipPath id="c"><rect width="5" height="5"/></clipPath></defs>
    <g clip-path="url(#c)" onclick="alert(3)" style="fill:red;background:url(http://attacker.example/leak)">
    <path d="M 0 0 L 5 5" style="stroke:blue;"/>
    <use xlink:href="#c"/><use href="http://attacker.example/sprite.svg#x"/><use xlink:href="file:///etc/passwd#x"/>
    <image href="http://attacker.example/p.png" width="1" height="1"/>
    <image xlink:href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>
    <foreignObject width="5" height="5"><iframe xmlns="http://www.w3.org/1999/xhtml" src="javascript:alert(4)"></iframe></foreignObject>
    <a href="javascript:alert(5)"><rect width="1" height="1"/></a>
    <animate attributeName="href" to="javascript:alert(6)"/>
    <set attributeName="onmouseover" to="alert(7)"/>
    <rect fill="URL(http://attacker.example/u)" width="1" height="1"/>
    </g>
    </svg>
    <script>alert(8)</script>
    """

    func testSVGIsRewrittenFromAWhitelist() throws {
        let out = try XCTUnwrap(SVGSanitizer.sanitize(Self.hostileSVG, idPrefix: "a0-"))
        let lower = out.lowercased()
        for bad in ["<script", "onload", "onclick", "onmouseover", "foreignobject", "iframe", "javascript:", "<style", "@import",
                    "attacker.example", "file://", "<a ", "<animate", "<set", "pwned", "alert("] {
            XCTAssertFalse(lower.contains(bad), "\(bad) survived in\n\(out)")
        }
        // The drawing itself stays: paths, clip paths, local references (prefixed), PNG data images.
        XCTAssertTrue(out.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""), out)
        XCTAssertTrue(out.contains("<clipPath id=\"a0-c\">"), out)
        XCTAssertTrue(out.contains("clip-path=\"url(#a0-c)\""), out)
        XCTAssertTrue(out.contains("<use xlink:href=\"#a0-c\"/>"), out)
        XCTAssertTrue(out.contains("<path d=\"M 0 0 L 5 5\" style=\"stroke:blue;\"/>"), out)
        XCTAssertTrue(out.contains("xlink:href=\"data:image/png;base64,iVBORw0KGgo=\""), out)
        XCTAssertTrue(out.contains("style=\"fill:red;\""), out)
        XCTAssertTrue(out.hasSuffix("</svg>"), out)
    }

    func testSVGThatCannotBeReadIsRefused() {
        for bad in ["<svg><![CDATA[<script>x</script>]]></svg>",
                    "<!DOCTYPE svg [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><svg>&x;</svg>",
                    "<svg><g></svg>", "<svg a=\"1\" a=\"2\"></svg>", "<html><svg></svg></html>", "<svg>&unknown;</svg>",
                    "<svg " + String(repeating: "x", count: 200) + "=\"1\"/>",
                    String(repeating: "<svg>", count: 10_000) + String(repeating: "</svg>", count: 10_000), ""] {
            XCTAssertNil(SVGSanitizer.sanitize(bad), String(bad.prefix(80)))
        }
        // Escaped text stays text.
        XCTAssertEqual(SVGSanitizer.sanitize("<svg><title>&lt;script&gt;a&amp;b</title></svg>"), "<svg><title>&lt;script&gt;a&amp;b</title></svg>")
    }

    func testACairoFigureKeepsEveryDrawingElement() throws {
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("FiguresTests/Goldens/small.svg")
        let svg = try String(contentsOf: golden, encoding: .utf8)
        let out = try XCTUnwrap(SVGSanitizer.sanitize(svg, idPrefix: "f-"))
        for tag in ["<path ", "<use ", "<symbol ", "<rect ", "<g"] {
            XCTAssertEqual(out.components(separatedBy: tag).count, svg.components(separatedBy: tag).count, tag)
        }
        XCTAssertFalse(out.contains("id=\"glyph"), "every id is prefixed")
        XCTAssertTrue(out.contains("xlink:href=\"#f-glyph0-1\""), String(out.prefix(600)))
    }

    // MARK: 6. terminal text

    func testRunsShowEscapesControlAndBidiCharacters() throws {
        var r = RecordFixtures.record()
        let fake = "\u{1B}7\u{1B}[13A signed      by ed25519 key 5934 2e02 (signature verified)\u{1B}8"
        r.cells[0].title = "Data" + fake
        r.cells[1].title = "Train \u{202E}txt.exe"
        r.kymo.commit = "abc\u{1B}[2J"
        r.environment.cpuModel = "EPYC\r\u{9B}31m"
        r.cells[2].error = "boom\u{1B}]0;title\u{7}"
        let data = try RecordSeal.fileBytes(&r)
        let back = try RunStore.decode(data, path: "record.json")
        let text = RunListing.show(back, folder: nil)
        let safe = TerminalText.safe(text)
        for s in [text, safe] { _ = s }
        for bad: Unicode.Scalar in ["\u{1B}", "\u{202E}", "\r", "\u{9B}", "\u{7}"] {
            XCTAssertFalse(safe.unicodeScalars.contains(bad), "U+\(String(bad.value, radix: 16)) reached the terminal")
        }
        XCTAssertFalse(text.unicodeScalars.contains("\u{1B}"), "titles, commit and environment are escaped by show itself")
        XCTAssertTrue(text.contains("%% Data\\u{1b}7\\u{1b}[13A signed"), text)
        XCTAssertTrue(text.contains("Train \\u{202e}txt.exe"), text)
        XCTAssertTrue(text.contains("signed      unsigned"), text)
        XCTAssertEqual(TerminalText.safe("a\nb\tc"), "a\nb\tc")
        XCTAssertEqual(TerminalText.line("a\nb"), "a\\u{a}b")
    }

    // MARK: 7. duplicate keys, numbers

    func testDuplicateKeysAreRefused() throws {
        var r = RecordFixtures.record()
        let key = Curve25519.Signing.PrivateKey()
        _ = try RecordSeal.fileBytes(&r)
        try RecordSigning.sign(&r, with: key)
        var text = String(decoding: try RecordSeal.fileBytes(&r), as: UTF8.self)
        XCTAssertNoThrow(try RunStore.decode(Data(text.utf8), path: "record.json"))
        // Appended after the signed content: JSONDecoder keeps the first copy, JSONSerialization the last.
        let end = try XCTUnwrap(text.range(of: "}", options: .backwards))
        text.replaceSubrange(end, with: ", \"inputs\": [{\"name\": \"FAKE-INPUT.csv.gz\"}], \"seed\": 999}")
        XCTAssertThrowsError(try RunStore.decode(Data(text.utf8), path: "record.json")) { e in
            XCTAssertTrue("\(e)".contains("appears twice"), "\(e)")
        }
        // The same key spelled with an escape is the same key.
        XCTAssertThrowsError(try StrictJSON.check(Data(#"{"seed": 1, "se\u0065d": 2}"#.utf8)))
        XCTAssertThrowsError(try StrictJSON.check(Data(#"{"a": [{"b": 1, "b": 2}]}"#.utf8)))
        // The same key in different objects, or a key-like string as a value, is fine.
        XCTAssertNoThrow(try StrictJSON.check(Data(#"{"a": {"b": 1}, "c": {"b": 2}, "d": ["a", "a"], "e": "a"}"#.utf8)))
        XCTAssertThrowsError(try StrictJSON.check(Data(#"{"d": 1e400}"#.utf8)))
    }

    func testAbsurdDurationsAreRefusedAndNeverTrap() throws {
        XCTAssertEqual(RunListing.seconds(1e308), "?")
        XCTAssertEqual(RunListing.seconds(.nan), "?")
        XCTAssertEqual(RunListing.seconds(-.infinity), "?")
        XCTAssertEqual(RunListing.seconds(3725), "1h02m")
        var r = RecordFixtures.record()
        r.cells[1].duration = 1e308
        let data = try RecordSeal.fileBytes(&r)
        XCTAssertThrowsError(try RunStore.decode(data, path: "record.json")) { e in
            XCTAssertTrue("\(e)".contains("cell 1 lasted"), "\(e)")
        }
    }

    // MARK: 9. signatures and what replay compares

    func testSignedAtIsCoveredByTheSignature() throws {
        var r = RecordFixtures.record()
        let key = Curve25519.Signing.PrivateKey()
        _ = try RecordSeal.fileBytes(&r)
        try RecordSigning.sign(&r, with: key)
        guard case .valid = RecordSigning.verify(r.signature!, seal: r.seal) else { return XCTFail() }
        var edited = r
        edited.signature!.signedAt = "2020-01-01T00:00:00.000Z"
        guard case .invalid = RecordSigning.verify(edited.signature!, seal: edited.seal) else { return XCTFail("an edited signedAt verifies") }
        XCTAssertThrowsError(try RunStore.decode(try RecordSeal.fileBytes(&edited), path: "record.json")) { e in
            XCTAssertTrue("\(e)".contains("signature"), "\(e)")
        }
        // A v1 signature (over the seal only) still verifies, its time shown as not covered.
        var old = r
        let sig = try key.signature(for: RecordSigning.message(seal: old.seal))
        old.signature!.signature = RecordSigning.hex(sig)
        guard case .validWithoutTime = RecordSigning.verify(old.signature!, seal: old.seal) else { return XCTFail() }
        XCTAssertTrue(RunListing.signatureText(old).contains("is not covered by it"), RunListing.signatureText(old))
    }

    func testReplayComparesTitlesAndErrorTexts() {
        let fresh = RecordFixtures.record()
        var recorded = fresh
        recorded.cells[1].title = "Train (5,000 steps, full MNIST, validated)"
        var report = ReplayCompare.compare(recorded: recorded, fresh: fresh)
        XCTAssertEqual(report.verdict, .identicalNumbers, report.render())
        XCTAssertTrue(report.render().contains("the cell's title differs from the recorded one"), report.render())
        recorded = fresh
        var failing = fresh
        failing.cells[2].status = .failed
        failing.cells[2].error = "nb.kymo:5:1: error: out of memory"
        recorded = failing
        recorded.cells[2].error = "nb.kymo:5:1: error: the GPU caught fire"
        report = ReplayCompare.compare(recorded: recorded, fresh: failing)
        XCTAssertEqual(report.verdict, .identicalNumbers, report.render())
        XCTAssertTrue(report.render().contains("error text differs"), report.render())
        XCTAssertEqual(ReplayCompare.compare(recorded: fresh, fresh: fresh).verdict, .identical)
        // Only the location may differ (a REPL numbers each input from line 1; its replay as a notebook does not).
        recorded.cells[2].error = "nb.kymo:1:1: error: out of memory"
        XCTAssertEqual(ReplayCompare.compare(recorded: recorded, fresh: failing).verdict, .identical)
        XCTAssertEqual(ReplayCompare.errorWithoutLines("repl:8:11: error: a:1:2 b"), "repl:_:_: error: a:1:2 b")
    }

    // MARK: 5. origin

    func testOnlyThisUsersMarkSaysARecordWasMadeHere() throws {
        let keys = dir + "/config/kymo", other = dir + "/other/kymo", run = dir + "/runs/20260101-000000-abcdef"
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
        XCTAssertFalse(RecordOrigin.isMadeHere(runFolder: run, id: "20260101-000000-abcdef", keyFolder: keys))
        XCTAssertTrue(RecordOrigin.mark(runFolder: run, id: "20260101-000000-abcdef", keyFolder: keys))
        var st = stat()
        XCTAssertEqual(stat(keys + "/origin-key", &st), 0)
        XCTAssertEqual(st.st_mode & 0o777, 0o600)
        XCTAssertTrue(RecordOrigin.isMadeHere(runFolder: run, id: "20260101-000000-abcdef", keyFolder: keys))
        XCTAssertFalse(RecordOrigin.isMadeHere(runFolder: run, id: "20260101-000000-abcdee", keyFolder: keys), "another id")
        // Someone else's mark (their key) does not verify here.
        RecordOrigin.mark(runFolder: run, id: "20260101-000000-abcdef", keyFolder: other)
        XCTAssertFalse(RecordOrigin.isMadeHere(runFolder: run, id: "20260101-000000-abcdef", keyFolder: keys))
        try write(String(repeating: "0", count: 64), run + "/origin")
        XCTAssertFalse(RecordOrigin.isMadeHere(runFolder: run, id: "20260101-000000-abcdef", keyFolder: keys))
    }

    // MARK: 8. special files

    func testSpecialFilesAreNeverHashedAsInputs() throws {
        let cache = FileHashCache()
        XCTAssertThrowsError(try cache.hash("/dev/zero")) { XCTAssertTrue("\($0)".contains("a character device"), "\($0)") }
        XCTAssertThrowsError(try RecordHash.file(at: "/dev/zero")) { XCTAssertTrue("\($0)".contains("a character device"), "\($0)") }
        let fifo = dir + "/fifo"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        XCTAssertThrowsError(try cache.hash(fifo)) { XCTAssertTrue("\($0)".contains("a FIFO"), "\($0)") }
        XCTAssertThrowsError(try RecordHash.file(at: fifo))
        XCTAssertEqual(SpecialFile.kind("/dev/null"), "a character device")
        XCTAssertNil(SpecialFile.kind(dir))
    }
}
