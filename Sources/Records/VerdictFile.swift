// VerdictFile: a replay's `verdict.json`, sealed and tied to the record it
// judged. It carries the judged record's id and seal (`record`), the verdict
// with its summary, counts and differences, and its own `seal` (SHA-256 of
// its canonical JSON with `seal` empty and no signature, as a run record's);
// with the user's signing key present, an Ed25519 `signature` over the seal
// (domain tag `kymo-verdict-signature-v1`). `check` says whether a verdict
// file checks out against the record beside it: a hand-written file has no
// seal or a wrong one, a verdict of another record (or of the record before
// it was edited) names another seal.
// Deliberately not: proof against someone who recomputes the seal — only a
// signature by a key the reader trusts is (docs/records.md, "Verdicts").

import Crypto
import Foundation

public struct VerdictFile: Codable, Equatable, Sendable {
    public struct Judged: Codable, Equatable, Sendable {
        public var id: String
        /// The judged record's seal when the replay ran.
        public var seal: String
        public init(id: String, seal: String) { self.id = id; self.seal = seal }
    }

    public struct Entry: Codable, Equatable, Sendable {
        public var place: String
        public var what: String
        public var `class`: String
        public var category: String
    }

    public var verdict: String
    public var summary: String
    public var at: String
    public var threads: Int
    public var run: String
    public var exitCode: Int
    public var categories: [String: CategoryCount]
    public var differences: [Entry]
    public var notes: [String]
    /// Diverged under one numerics version with nothing to explain it.
    public var unexplained: Bool
    /// The numerics version of the replay and the build that ran it.
    public var numerics: String?
    public var kymo: BuildStamp?
    public var record: Judged
    public var seal: String = ""
    public var signature: RecordSignature?

    public init(report: ReplayReport, at date: Date, threads: Int, record: RunRecord, numerics: String?, build: BuildStamp?,
                exitCode: Int32) {
        verdict = report.verdict.rawValue
        summary = report.summaryLine
        at = RecordTime.string(date)
        self.threads = threads
        run = record.id
        self.exitCode = Int(exitCode)
        var c: [String: CategoryCount] = [:]
        for k in DifferenceCategory.allCases { c[k.rawValue] = report.counts[k] ?? CategoryCount() }
        categories = c
        differences = report.differences.map { Entry(place: $0.place, what: $0.difference.summary, class: $0.kind.text, category: $0.category.rawValue) }
        notes = report.notes
        unexplained = report.isUnexplained
        self.numerics = numerics
        kymo = build
        self.record = Judged(id: record.id, seal: record.seal)
    }

    public static func canonicalJSON(_ v: VerdictFile) throws -> Data {
        var c = v
        c.seal = ""
        c.signature = nil
        return try RecordHash.canonicalJSON(c)
    }

    public static func message(seal: String) -> Data { Data("kymo-verdict-signature-v1\n\(seal)".utf8) }

    /// The file's bytes, signed with the key in `keyFolder` only if one
    /// exists there (never created); the signer's fingerprint when signed.
    public func fileBytes(keyFolder: String?) throws -> (data: Data, signer: String?) {
        var key: Curve25519.Signing.PrivateKey?
        if let keyFolder, FileManager.default.fileExists(atPath: keyFolder + "/signing-key") {
            key = try RecordSigning.userKey(folder: keyFolder).key
        }
        let data = try fileBytes(signingKey: key)
        return (data, key.map { RecordSigning.fingerprint(publicKeyHex: RecordSigning.hex($0.publicKey.rawRepresentation)) })
    }

    /// Sealed (and signed with `key` when given), keys sorted, indented, ending in a newline.
    public func fileBytes(signingKey key: Curve25519.Signing.PrivateKey? = nil, at date: Date = Date()) throws -> Data {
        var v = self
        v.seal = RecordHash.hex(of: try VerdictFile.canonicalJSON(v))
        if let key {
            let sig = try key.signature(for: VerdictFile.message(seal: v.seal))
            v.signature = RecordSignature(algorithm: "ed25519", publicKey: RecordSigning.hex(key.publicKey.rawRepresentation),
                                          signature: RecordSigning.hex(sig), signedAt: RecordTime.string(date))
        }
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try e.encode(v) + Data("\n".utf8)
    }

    /// How a verdict file stands against the record it sits beside.
    public enum Check: Equatable, Sendable {
        /// Sealed, for this record as it is; `signer`: the verdict's signature verified.
        case valid(VerdictFile, signer: String?)
        /// Not shown: why.
        case invalid(String)
    }

    /// Reads `path` and checks it against `record` (the record beside it).
    public static func check(path: String, record: RunRecord) -> Check {
        let url = URL(fileURLWithPath: path)
        return check(name: url.lastPathComponent, in: url.deletingLastPathComponent().path, record: record)
    }

    /// Reads `name` inside `folder` (RecordFolderFile: no symlink followed, a
    /// regular file of at most 16 MiB) and checks it against `record`.
    public static func check(name: String, in folder: String, record: RunRecord) -> Check {
        let data: Data
        do { data = try RecordFolderFile.read(name, in: folder, maxBytes: 16 << 20) } catch {
            return .invalid("unreadable: \(error)")
        }
        let v: VerdictFile
        do { v = try JSONDecoder().decode(VerdictFile.self, from: data) } catch {
            return .invalid("not a sealed verdict (no seal or record it judged: not written by kymo replay, or by one before verdicts were sealed)")
        }
        guard let seal = try? RecordHash.hex(of: canonicalJSON(v)), seal == v.seal else {
            return .invalid("its seal does not match its content: edited after kymo replay wrote it")
        }
        guard v.record.id == record.id, v.run == record.id else { return .invalid("it judged another run (\(v.record.id))") }
        guard v.record.seal == record.seal else {
            return .invalid("it judged another version of this record (seal \(v.record.seal.prefix(12))…, the record's is \(record.seal.prefix(12))…)")
        }
        var signer: String?
        if let s = v.signature {
            guard s.algorithm == "ed25519", let raw = RecordSigning.bytes(hex: s.publicKey), raw.count == 32,
                  let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw),
                  let sig = RecordSigning.bytes(hex: s.signature), key.isValidSignature(Data(sig), for: message(seal: v.seal)) else {
                return .invalid("its signature does not verify")
            }
            signer = RecordSigning.fingerprint(publicKeyHex: s.publicKey)
        }
        return .valid(v, signer: signer)
    }

    /// Every `replay-*/verdict.json` in `runFolder`, by replay folder name, checked against `record`.
    public static func all(in runFolder: String, record: RunRecord) -> [(replay: String, check: Check)] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: runFolder)) ?? [])
            .filter { $0.hasPrefix("replay-") && FileManager.default.fileExists(atPath: runFolder + "/" + $0 + "/verdict.json") }
            .sorted { (Int($0.dropFirst(7)) ?? 0, $0) < (Int($1.dropFirst(7)) ?? 0, $1) }
        return names.map { ($0, check(name: $0 + "/verdict.json", in: runFolder, record: record)) }
    }

    /// `replayed identical on 2026-12-06` for the newest valid identical verdict, if any.
    public static func lastIdentical(in runFolder: String, record: RunRecord) -> String? {
        let dates = all(in: runFolder, record: record).compactMap { e -> String? in
            if case .valid(let v, _) = e.check, v.verdict == Verdict.identical.rawValue { return v.at }
            return nil
        }
        return dates.max().map { "replayed identical on \($0.prefix(10))" }
    }
}
