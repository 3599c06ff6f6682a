// A stranger sends a victim a run record; the victim opens it with the built
// `kymo`. Each finding of issue 34, made at test time in Swift from a real
// run by the "attacker" (their own HOME and keys), edited and resealed as an
// attacker would, then opened by the "victim" (their HOME, signing key,
// secret files): the report carries no file and runs no script (checked in
// headless Chromium with an onerror/console probe), replay reads no changed
// input, restoring writes nowhere the record names, resume refuses a
// stranger's record, the terminal shows escapes escaped, duplicate keys and
// absurd numbers are refused, special files and hostile data files neither
// hang nor crash. The victim's files are hashed before and after each.
import Foundation
import XCTest
import Records
import TestSupport

final class HostileRecordEndToEndTests: KymoTestCase {
    var home: String!
    var attacker: String!
    let secret = "VICTIM-SECRET-7f3a9c41"

    var victimEnv: [String: String] { Self.environment(home!) }
    var attackerEnv: [String: String] { Self.environment(attacker!) }

    static func environment(_ home: String) -> [String: String] {
        ["HOME": home, "XDG_CONFIG_HOME": home + "/.config", "XDG_DATA_HOME": home + "/.local/share", "KYMO_DATA": home + "/.local/share/kymo"]
    }
    var signingKeyHex: String {
        (try? String(contentsOfFile: home + "/.config/kymo/signing-key", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
    }

    override func setUpWithError() throws {
        try super.setUpWithError()
        let scratch = dir!
        home = scratch + "/home"
        attacker = scratch + "/attacker"
        for d in [scratch + "/home/inbox", scratch + "/home/.local/share/kymo", scratch + "/attacker"] {
            try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        }
        try secret.write(toFile: home + "/secret.txt", atomically: true, encoding: .utf8)
        try "export PATH=/usr/bin\n".write(toFile: home + "/.bashrc", atomically: true, encoding: .utf8)
        try Self.safetensors(shape: "[2]", data: [0, 0, 128, 63, 0, 0, 0, 64]).write(to: URL(fileURLWithPath: home + "/private.safetensors"))
        try Data("the victim's own\n".utf8).write(to: URL(fileURLWithPath: home + "/planted.safetensors"))
        _ = try RecordSigning.userKey(folder: home + "/.config/kymo")
    }

    /// Raw safetensors bytes with one F32 tensor `w`.
    static func safetensors(shape: String, data: [UInt8]) -> Data {
        let header = #"{"w":{"dtype":"F32","shape":\#(shape),"data_offsets":[0,\#(data.count)]}}"#
        var out = Data()
        var len = UInt64(header.utf8.count).littleEndian
        withUnsafeBytes(of: &len) { out.append(contentsOf: $0) }
        out.append(contentsOf: Array(header.utf8) + data)
        return out
    }

    @discardableResult
    func victim(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        try KymoBinary.execute(binary, args, in: home, environment: victimEnv)
    }

    /// The attacker runs `text` in their folder; the run folder is copied into the victim's inbox.
    func attackerRecord(_ text: String) throws -> String {
        try text.write(toFile: attacker + "/nb.kymo", atomically: true, encoding: .utf8)
        let before = Set(RunStore(folder: attacker + "/runs").runIDs())
        let r = try KymoBinary.execute(binary, ["run", "nb.kymo"], in: attacker, environment: attackerEnv)
        XCTAssertEqual(r.status, 0, r.out + r.err)
        let id = try XCTUnwrap(RunStore(folder: attacker + "/runs").runIDs().first { !before.contains($0) }, r.out + r.err)
        let sent = home + "/inbox/" + id
        try FileManager.default.copyItem(atPath: attacker + "/runs/" + id, toPath: sent)
        return sent
    }

    /// Edits the record in `folder` and reseals it, as an attacker would.
    func edit(_ folder: String, _ change: (inout RunRecord) throws -> Void) throws {
        var r = try RunStore.read(recordAt: folder + "/record.json")
        try change(&r)
        try RecordSeal.fileBytes(&r).write(to: URL(fileURLWithPath: folder + "/record.json"))
    }

    /// SHA-256 of every file of the victim outside the inbox (where records and replays live).
    func victimFiles() throws -> [String: String] {
        var out: [String: String] = [:]
        let e = FileManager.default.enumerator(atPath: home)!
        while let p = e.nextObject() as? String {
            // The inbox holds records and replays; the origin key is made by the victim's own `kymo run`.
            if p.hasPrefix("inbox") || p == ".config/kymo/origin-key" { continue }
            var st = stat()
            guard lstat(home + "/" + p, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
            out[p] = try RecordHash.file(at: home + "/" + p).sha256
        }
        return out
    }

    func files(under path: String) -> [String] {
        ((try? FileManager.default.subpathsOfDirectory(atPath: path)) ?? []).sorted()
    }

    // MARK: 1 and 2: the report

    static let hostileSVG = """
    <?xml version="1.0" encoding="UTF-8"?>
    <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="100" height="40" onload="console.log('P'+'WNED-onload')">
    <script>document.title = 'P' + 'WNED'; console.log('P' + 'WNED-script')</script>
    <rect width="100" height="40" style="fill:rgb(80%,10%,10%);"/>
    <image href="x" onerror="console.log('P'+'WNED-onerror')" width="1" height="1"/>
    <use href="file:///etc/passwd#x"/><image href="http://127.0.0.1:9/leak.png" width="1" height="1"/>
    <foreignObject width="50" height="20"><iframe xmlns="http://www.w3.org/1999/xhtml" src="javascript:parent.console.log('P'+'WNED-iframe')"></iframe></foreignObject>
    <a href="javascript:console.log('P'+'WNED-link')"><text x="5" y="20">click</text></a>
    </svg>
    <script>console.log('P'+'WNED-after')</script>
    """

    /// A probe put in front of a page: records a script error or console line in
    /// the DOM (so `--dump-dom` shows it) and marks that it ran itself.
    static let probe = "<script>window.onerror=function(m){document.documentElement.setAttribute('data-onerror',String(m))};"
        + "console.log=console.error=console.warn=function(){document.documentElement.setAttribute('data-console',Array.prototype.join.call(arguments,' '))};"
        + "document.addEventListener('DOMContentLoaded',function(){document.documentElement.setAttribute('data-probe','ran')})</script>"

    func chromiumDOM(_ page: String) throws -> String {
        guard let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
                .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw KymoBinary.missing("chromium is not installed (apt-get install chromium; scripts/setup.sh does)")
        }
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                     "--user-data-dir=\(dir!)/chromium-profile", "--virtual-time-budget=3000", "--dump-dom", "file://" + page]
        let r = try KymoBinary.execute(chromium, flags, in: dir)
        XCTAssertEqual(r.status, 0, r.err)
        return r.out
    }

    func testTheReportCarriesNoFileAndRunsNoScript() throws {
        let run = try attackerRecord("""
        %% Figures <script>alert('title')</script>
        let truth = rand([4, 1, 16, 16])
        plot_frames(truth, truth).save("figs/frames.svg")
        plot_frames(truth, truth).save("figs/frames.png")
        plot_frames(truth, truth).save("figs/more.png")
        print("</pre><script>alert('output')</script>")
        """)
        let before = try victimFiles()
        let key = home + "/.config/kymo/signing-key"
        // 2. The SVG copy becomes script, with a matching size and SHA-256 in the record.
        let svg = Data(Self.hostileSVG.utf8)
        try svg.write(to: URL(fileURLWithPath: run + "/artifacts/figs/frames.svg"))
        // 1. A PNG copy becomes a symlink to the signing key (even with the key's own hash recorded),
        //    and a folder on the way of another becomes a symlink to the victim's HOME.
        try FileManager.default.removeItem(atPath: run + "/artifacts/figs/frames.png")
        try FileManager.default.createSymbolicLink(atPath: run + "/artifacts/figs/frames.png", withDestinationPath: key)
        try FileManager.default.createSymbolicLink(atPath: run + "/artifacts/home", withDestinationPath: home)
        let keyBytes = try Data(contentsOf: URL(fileURLWithPath: key))
        try edit(run) { r in
            for k in r.artifacts.indices {
                switch r.artifacts[k].path {
                case "figs/frames.svg": r.artifacts[k].size = svg.count; r.artifacts[k].sha256 = RecordHash.hex(of: svg)
                case "figs/frames.png": r.artifacts[k].size = keyBytes.count; r.artifacts[k].sha256 = RecordHash.hex(of: keyBytes)
                default:
                    let s = Data(secret.utf8)
                    r.artifacts[k].copy = "artifacts/home/secret.txt"; r.artifacts[k].size = s.count; r.artifacts[k].sha256 = RecordHash.hex(of: s)
                }
            }
        }
        // Where the page goes by default, a symlink to the victim's .bashrc: replaced, not followed.
        try FileManager.default.createSymbolicLink(atPath: run + "/report.html", withDestinationPath: home + "/.bashrc")
        let r = try victim(["report", run])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        var st = stat()
        XCTAssertEqual(lstat(run + "/report.html", &st), 0)
        XCTAssertEqual(st.st_mode & S_IFMT, S_IFREG, "the page replaced the planted symlink")
        let html = try String(contentsOfFile: run + "/report.html", encoding: .utf8)
        XCTAssertFalse(html.contains(secret), "the victim's secret is in the page")
        XCTAssertFalse(html.contains(signingKeyHex) || html.contains(keyBytes.base64EncodedString()), "the signing key is in the page")
        let lower = html.lowercased()
        for bad in ["<script", "javascript:", "onload=", "onerror=", "<foreignobject", "<iframe", "file://", "127.0.0.1"] {
            XCTAssertFalse(lower.contains(bad), "\(bad) reached the page")
        }
        XCTAssertTrue(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'none';"), html)
        XCTAssertEqual(html.components(separatedBy: "not shown: the copy").count - 1, 2, "the two symlinked copies are named, not shown")
        XCTAssertTrue(html.contains("is a symlink") && html.contains("leads through a symlink"), html)
        XCTAssertTrue(html.contains("<rect width=\"100\" height=\"40\" style=\"fill:rgb(80%,10%,10%);\"/>"), "the drawing stays")
        XCTAssertTrue(html.contains("%% Figures &lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;"), "titles are escaped")
        XCTAssertEqual(try victimFiles(), before)

        // The page in a browser: no script runs, no secret appears — with the CSP, and without it (the sanitizer alone).
        let dom = try chromiumDOM(run + "/report.html")
        XCTAssertTrue(dom.contains("<svg"), String(dom.prefix(300)))
        let bare = html.replacingOccurrences(of: #"<meta http-equiv="Content-Security-Policy""#, with: "<meta name=\"x-csp-removed\"")
            .replacingOccurrences(of: "<head>", with: "<head>" + Self.probe)
        XCTAssertTrue(bare.contains(Self.probe) && !bare.contains("http-equiv=\"Content-Security-Policy\""))
        try bare.write(toFile: dir + "/probed.html", atomically: true, encoding: .utf8)
        let probed = try chromiumDOM(dir + "/probed.html")
        // Positive control: the same probe catches a script in an unsanitized figure.
        let control = "<!DOCTYPE html><html><head>\(Self.probe)</head><body>\(Self.hostileSVG.components(separatedBy: "?>").last!)</body></html>"
        try control.write(toFile: dir + "/control.html", atomically: true, encoding: .utf8)
        let caught = try chromiumDOM(dir + "/control.html")
        XCTAssertTrue(caught.contains("data-probe=\"ran\"") && caught.contains("PWNED") && caught.contains("data-console=\"PWNED"),
                      "the probe sees a script run: \(caught.prefix(400))")
        XCTAssertTrue(probed.contains("data-probe=\"ran\""), "the probe ran in the sanitized page")
        for (what, page) in [("with its CSP", dom), ("without its CSP", probed)] {
            XCTAssertFalse(page.contains("PWNED"), "a script ran in the report \(what)")
            XCTAssertFalse(page.contains("data-onerror=\"") || page.contains("data-console=\""), "an error or console line \(what)")
            XCTAssertFalse(page.contains(secret), "the secret appears \(what)")
        }
    }

    func testARecordWhoseArtifactCopyLeadsOutIsRefused() throws {
        let run = try attackerRecord("""
        %% Figure
        plot_frames(rand([2, 1, 8, 8]), rand([2, 1, 8, 8])).save("notes.svg")
        """)
        let before = try victimFiles()
        try edit(run) { r in r.artifacts[0].copy = "../../secret.txt" }
        for args in [["report", run], ["runs", "show", run], ["replay", run]] {
            let r = try victim(args)
            XCTAssertEqual(r.status, 2, "\(args): " + r.out + r.err)
            XCTAssertTrue(r.err.contains("leads out of the run folder"), r.err)
            XCTAssertFalse((r.out + r.err).contains(secret))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: run + "/report.html"))
        XCTAssertEqual(try victimFiles(), before)
    }

    // MARK: 3. a changed input

    func testAConfinedReplayRefusesAChangedInput() throws {
        let run = try attackerRecord("""
        %% Steal
        let t = load_tensors("\(home!)/private.safetensors")
        save_tensors("stolen.safetensors", t)
        print("ok")
        """)
        let before = try victimFiles()
        try edit(run) { r in
            r.inputs![0].sha256 = String(repeating: "0", count: 64)
            r.cells[0].output = ""
            r.artifacts = []
        }
        try FileManager.default.removeItem(atPath: run + "/artifacts")
        let r = try victim(["replay", run])
        XCTAssertEqual(r.status, 2, r.out + r.err)
        XCTAssertTrue(r.err.contains("input changed before the replay") && r.err.contains("--allow-changed-inputs"), r.err)
        XCTAssertFalse(r.err.contains("%% Steal"), "no cell started")
        XCTAssertEqual(files(under: run + "/replay-1"), [], "nothing was written by a cell")
        XCTAssertFalse(files(under: run).contains { $0.hasSuffix("stolen.safetensors") }, "\(files(under: run))")
        XCTAssertEqual(try victimFiles(), before)
    }

    // MARK: 4. --restore-artifacts

    func testRestoringWritesOnlyWhereTheReaderSays() throws {
        let run = try attackerRecord("""
        %% Plant
        save_tensors("planted.safetensors", {a: ones([2])})
        save_tensors(".config/kymo/planted.safetensors", {a: ones([2])})
        save_tensors("/tmp/kymo-planted-\(getpid()).safetensors", {a: ones([2])})
        """)
        try? FileManager.default.removeItem(atPath: "/tmp/kymo-planted-\(getpid()).safetensors")
        let before = try victimFiles()
        try edit(run) { r in r.notebook.workingDirectory = home }
        let r = try victim(["replay", run, "--restore-artifacts"])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        XCTAssertTrue(r.out.contains("restored planted.safetensors to \(run)/replay-1/restored/planted.safetensors"), r.out)
        XCTAssertTrue(r.out.contains("restored .config/kymo/planted.safetensors to \(run)/replay-1/restored/.config/kymo/planted.safetensors"), r.out)
        XCTAssertTrue(r.out.contains("not restored: /tmp/kymo-planted-\(getpid()).safetensors is absolute"), r.out)
        XCTAssertEqual(try victimFiles(), before, "nothing written in the folder the record names")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/kymo-planted-\(getpid()).safetensors"))
        // A folder the reader names, with a symlink planted inside: not followed.
        let target = dir + "/restore-here"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: target + "/.config", withDestinationPath: home + "/.config")
        let again = try victim(["replay", run, "--restore-artifacts", "--restore-to", target])
        XCTAssertEqual(again.status, 0, again.out + again.err)
        XCTAssertTrue(FileManager.default.fileExists(atPath: target + "/planted.safetensors"))
        XCTAssertTrue(again.out.contains("not restored: .config/kymo/planted.safetensors") && again.out.contains("is a symlink"), again.out)
        XCTAssertEqual(try victimFiles(), before)
    }

    // MARK: 5. resume

    func testResumingAStrangersRecordIsRefused() throws {
        let run = try attackerRecord("""
        %% A
        let a = ones([1])
        %% B
        save_tensors("\(home!)/.bashrc", {a: a})
        """)
        try "export PATH=/usr/bin\n".write(toFile: home + "/.bashrc", atomically: true, encoding: .utf8)
        let before = try victimFiles()
        try edit(run) { r in
            r.status = .interrupted
            r.cells = [r.cells[0]]
            r.artifacts = []
            r.endedAt = nil
        }
        let r = try victim(["resume", run])
        XCTAssertEqual(r.status, 2, r.out + r.err)
        XCTAssertTrue(r.err.contains("not recorded on this machine by this user") && r.err.contains("--trust"), r.err)
        XCTAssertEqual(try victimFiles(), before)
        // A planted mark (the attacker's own, made with their key) does not count here either.
        XCTAssertTrue(FileManager.default.fileExists(atPath: run + "/origin"))
        XCTAssertEqual(try victim(["resume", run]).status, 2)
        // With --trust the reader takes it as their own: a harmless record resumes to the end.
        let harmless = try attackerRecord("%% A\nlet a = 1\n%% B\nprint(a + 1)\n")
        try edit(harmless) { r in r.status = .interrupted; r.cells = [r.cells[0]]; r.endedAt = nil }
        XCTAssertEqual(try victim(["resume", harmless]).status, 2)
        let trusted = try victim(["resume", harmless, "--trust"])
        XCTAssertEqual(trusted.status, 0, trusted.out + trusted.err)
        XCTAssertTrue(trusted.err.contains("complete, 2/2 cells"), trusted.err)   // the closing line is on stderr
        XCTAssertEqual(try victimFiles(), before)
    }

    // MARK: 6 and 9: terminal escapes, titles

    func testTerminalEscapesAreShownEscapedAndTitlesAreCompared() throws {
        let run = try attackerRecord("""
        %% Data
        let a = 1
        print(a)
        """)
        let fake = "Data\u{1B}7\u{1B}[13A signed      by ed25519 key 5934 2e02 (signature verified)\u{1B}8"
        try edit(run) { r in
            r.cells[0].title = fake
            r.kymo.commit = "abc\u{1B}[2J\u{202E}"
            r.environment.cpuModel = "EPYC\r\u{9B}31m"
        }
        let show = try victim(["runs", "show", run])
        XCTAssertEqual(show.status, 0, show.err)
        for bad: Unicode.Scalar in ["\u{1B}", "\u{202E}", "\r", "\u{9B}"] {
            XCTAssertFalse(show.out.unicodeScalars.contains(bad), "U+\(String(bad.value, radix: 16)) reached the terminal")
        }
        XCTAssertTrue(show.out.contains("signed      unsigned"), show.out)
        XCTAssertTrue(show.out.contains("%% Data\\u{1b}7\\u{1b}[13A signed"), show.out)
        // Replay: the title the record shows is not the notebook's: text differs (exit 1), escaped there too.
        let replay = try victim(["replay", run])
        XCTAssertEqual(replay.status, 1, replay.out + replay.err)
        XCTAssertTrue(replay.out.contains("the cell's title differs from the recorded one"), replay.out)
        XCTAssertFalse((replay.out + replay.err).unicodeScalars.contains("\u{1B}"))
    }

    // MARK: 7, 8, 9: duplicate keys, numbers, signatures

    func testDuplicateKeysAbsurdNumbersAndAnEditedSigningTimeAreRefused() throws {
        let run = try attackerRecord("%% A\nprint(1)\n")
        let sign = try KymoBinary.execute(binary, ["runs", "sign", run], in: attacker, environment: attackerEnv)
        XCTAssertEqual(sign.status, 0, sign.err)
        let path = run + "/record.json"
        let signed = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(try victim(["runs", "show", run]).out.contains("(the signature matches the seal)"))
        // 7. Keys appended after the signed content.
        var text = signed
        let end = try XCTUnwrap(text.range(of: "}", options: .backwards))
        text.replaceSubrange(end, with: ", \"inputs\": [{\"name\": \"FAKE-INPUT.csv.gz\", \"path\": \"x\", \"kind\": \"digits\", \"cell\": 0, "
                             + "\"size\": 1, \"sha256\": \"\(String(repeating: "0", count: 64))\"}], \"seed\": 999}")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        for args in [["runs", "show", run], ["report", run]] {
            let r = try victim(args)
            XCTAssertEqual(r.status, 2, "\(args): " + r.out + r.err)
            XCTAssertTrue(r.err.contains("appears twice"), r.err)
            XCTAssertFalse(r.out.contains("FAKE-INPUT"))
        }
        // 9. The signing time edited.
        try signed.replacingOccurrences(of: "\"signedAt\" : \"20", with: "\"signedAt\" : \"19").write(toFile: path, atomically: true, encoding: .utf8)
        let edited = try victim(["runs", "show", run])
        XCTAssertEqual(edited.status, 2, edited.out + edited.err)
        XCTAssertTrue(edited.err.contains("signature"), edited.err)
        // 8. A duration of 1e308 seconds: refused, never a trap.
        try signed.write(toFile: path, atomically: true, encoding: .utf8)
        try edit(run) { r in r.signature = nil; r.cells[0].duration = 1e308 }
        for args in [["runs", "show", run], ["report", run], ["runs"]] {
            let r = try KymoBinary.execute(binary, args + (args == ["runs"] ? ["--runs", home + "/inbox"] : []), in: home, environment: victimEnv)
            XCTAssertLessThan(r.status, 128, "\(args) died of a signal")
            if args != ["runs"] { XCTAssertEqual(r.status, 2, r.err) }
            XCTAssertTrue((r.out + r.err).contains("cell 0 lasted"), r.out + r.err)
        }
    }

    // MARK: 8. hangs and crashes from data

    /// Runs kymo as the victim in `folder`, killing it (and failing) after `seconds`: a hang fails, it never stalls the suite.
    func victimWithin(_ seconds: Double, _ args: [String], in folder: String? = nil) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: folder ?? home)
        p.environment = ProcessInfo.processInfo.environment.merging(victimEnv) { $1 }
        let out = dir + "/out-\(UUID().uuidString)", err = dir + "/err-\(UUID().uuidString)"
        FileManager.default.createFile(atPath: out, contents: nil)
        FileManager.default.createFile(atPath: err, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        try p.run()
        let deadline = Date().addingTimeInterval(seconds)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            XCTFail("kymo \(args.joined(separator: " ")) still ran after \(seconds) s")
        }
        return (p.terminationStatus, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "", (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }

    func testSpecialFilesAndHostileDataFilesNeitherHangNorCrash() throws {
        let run = try attackerRecord("%% A\nprint(1)\n")
        let before = try victimFiles()
        try edit(run) { r in
            r.inputs = [InputRecord(name: "zeros.safetensors", path: "/dev/zero", kind: "tensors", cell: 0, size: 1,
                                    sha256: String(repeating: "0", count: 64))]
        }
        XCTAssertEqual(try victimWithin(60, ["replay", run]).status, 2)
        // Notebooks that read a device, a FIFO, an impossible shape, a 300,000-deep .npy header.
        let work = dir + "/work"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        XCTAssertEqual(mkfifo(work + "/pipe.safetensors", 0o600), 0)
        try Self.safetensors(shape: "[0, 9223372036854775807]", data: []).write(to: URL(fileURLWithPath: work + "/evil.safetensors"))
        let header = Array(("{'descr': '<f4', 'fortran_order': False, 'shape': " + String(repeating: "(", count: 300_000) + "}").utf8)
        let n = UInt32(header.count)
        try Data([0x93] + Array("NUMPY".utf8) + [2, 0, UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)] + header)
            .write(to: URL(fileURLWithPath: work + "/deep.npy"))
        for (code, expected) in [("let t = load_tensors(\"/dev/zero\")", "it is a character device"),
                                 ("let t = load_tensors(\"pipe.safetensors\")", "it is a FIFO"),
                                 ("let t = load_tensors(\"evil.safetensors\")\nprint(t.w.transpose(0, 1))", "impossibly large"),
                                 ("let d = load_moving_mnist(\"deep.npy\")", "Kymo reads headers of at most")] {
            try "%% Hostile\n\(code)\n".write(toFile: work + "/nb.kymo", atomically: true, encoding: .utf8)
            for confined in [false, true] {
                let args = ["run", "nb.kymo"] + (confined ? ["--confined"] : [])
                let r = try victimWithin(60, args, in: work)
                XCTAssertEqual(r.status, 1, "\(code) \(args): " + r.out + r.err)
                if !confined || !code.contains("/dev/zero") {
                    XCTAssertTrue((r.out + r.err).contains(expected), "\(code): " + r.out + r.err)
                }
            }
        }
        XCTAssertEqual(try victimFiles(), before)
    }

    /// A gzip file of `output` zero bytes (rounded up), a few MB long: one
    /// fixed-Huffman deflate block of a literal 0 and then copies of 258 bytes at
    /// distance 1 (13 bits each; 8 copies make 13 bytes, so the block is that
    /// pattern repeated). No trailer: a reader must stop at its cap first.
    static func gzipBomb(output: Int) -> Data {
        var bytes: [UInt8] = [], acc: UInt32 = 0, nbits = 0
        func put(_ value: UInt32, _ n: Int, msbFirst: Bool) {
            for k in 0..<n {
                let bit = msbFirst ? (value >> UInt32(n - 1 - k)) & 1 : (value >> UInt32(k)) & 1
                acc |= bit << UInt32(nbits); nbits += 1
                if nbits == 8 { bytes.append(UInt8(acc)); acc = 0; nbits = 0 }
            }
        }
        put(1, 1, msbFirst: false)                  // BFINAL
        put(1, 2, msbFirst: false)                  // BTYPE 01: fixed Huffman
        put(0x30, 8, msbFirst: true)                // literal 0
        for _ in 0..<24 { put(0b1100_0101, 8, msbFirst: true); put(0, 5, msbFirst: true) }  // length 258, distance 1
        let pattern = Array(bytes[2..<15])
        precondition(Array(bytes[15..<28]) == pattern)
        let repeats = output / (8 * 258) + 1
        var out = Data([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3])
        out.append(contentsOf: bytes[0..<2])
        out.reserveCapacity(out.count + repeats * pattern.count)
        for _ in 0..<repeats { out.append(contentsOf: pattern) }
        return out
    }

    func testAGzipBombIsRefusedAtTheInflateCap() throws {
        // 1.1 GiB of zeros in 7 MB, given as the digits of moving_mnist (finding 8 used 12 GB in 12 MB).
        let work = dir + "/bomb"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let bomb = Self.gzipBomb(output: (1 << 30) + (100 << 20))
        XCTAssertLessThan(bomb.count, 8 << 20)
        try bomb.write(to: URL(fileURLWithPath: work + "/digits.csv.gz"))
        try "%% Data\nlet d = moving_mnist(train: 1, test: 1, frames: 2, size: 32, source: \"digits.csv.gz\")\n"
            .write(toFile: work + "/nb.kymo", atomically: true, encoding: .utf8)
        for confined in [false, true] {
            let r = try victimWithin(120, ["run", "nb.kymo"] + (confined ? ["--confined"] : []), in: work)
            XCTAssertEqual(r.status, 1, r.out + r.err)
            XCTAssertTrue((r.out + r.err).contains("decompresses to more than 1073741824 bytes"), r.out + r.err)
        }
    }
}
