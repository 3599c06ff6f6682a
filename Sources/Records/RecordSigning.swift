// RecordSigning: `kymo runs sign` — an Ed25519 signature (swift-crypto,
// Curve25519.Signing) over a record's seal, which covers every other field,
// and over the signing time, so a signed record (or when it was signed)
// cannot change without its signature failing. Signatures made before the
// time was covered (v1) still verify, with their time shown as unverified. The user's
// key lives in a folder the host names (`$XDG_CONFIG_HOME/kymo`, else
// `~/.config/kymo`): `signing-key` (the 32-byte private key, hex, mode 0600,
// created on first use) and `signing-key.pub`. A signer is shown by the
// fingerprint of its public key: the first 16 bytes of its SHA-256, hex, in
// groups of four.
// Deliberately not: a web of trust. A signature says which key signed, not
// whose key it is; a reader compares the fingerprint with one they trust.

import Crypto
import Foundation
import KymoBase

public enum RecordSigning {
    public enum Verification: Equatable {
        case valid(fingerprint: String)
        /// A signature made before the time was signed (v1): the key and seal
        /// verify, `signedAt` does not and is not to be shown as signed.
        case validWithoutTime(fingerprint: String)
        case invalid(String)
    }

    /// The bytes signed: a domain tag, the seal and the signing time
    /// (`signedAt`, so it cannot be edited without the signature failing).
    public static func message(seal: String, signedAt: String) -> Data {
        Data("kymo-record-signature-v2\n\(seal)\n\(signedAt)".utf8)
    }

    /// The v1 message (seal only), still verified for records signed before v2.
    public static func message(seal: String) -> Data { Data("kymo-record-signature-v1\n\(seal)".utf8) }

    /// `3f9a 1c2b …` (8 groups): SHA-256 of the raw public key, first 16 bytes.
    public static func fingerprint(publicKeyHex: String) -> String {
        guard let raw = bytes(hex: publicKeyHex) else { return "(not a key)" }
        let h = RecordHash.hex(of: Data(raw)).prefix(32)
        var groups: [String] = []
        var i = h.startIndex
        while i < h.endIndex { let j = h.index(i, offsetBy: 4); groups.append(String(h[i..<j])); i = j }
        return groups.joined(separator: " ")
    }

    public static func verify(_ s: RecordSignature, seal: String) -> Verification {
        guard s.algorithm == "ed25519" else { return .invalid("unknown algorithm \(RecordLimits.quoted(s.algorithm))") }
        guard let raw = bytes(hex: s.publicKey), raw.count == 32,
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else { return .invalid("the public key is not an Ed25519 key") }
        guard let sig = bytes(hex: s.signature), sig.count == 64 else { return .invalid("the signature is not 64 bytes") }
        if key.isValidSignature(Data(sig), for: message(seal: seal, signedAt: s.signedAt)) {
            return .valid(fingerprint: fingerprint(publicKeyHex: s.publicKey))
        }
        if key.isValidSignature(Data(sig), for: message(seal: seal)) {
            return .validWithoutTime(fingerprint: fingerprint(publicKeyHex: s.publicKey))
        }
        return .invalid("signed by \(fingerprint(publicKeyHex: s.publicKey)), but the signature does not verify")
    }

    /// Signs `record` (its seal must be current) with `key`.
    public static func sign(_ record: inout RunRecord, with key: Curve25519.Signing.PrivateKey, at date: Date = Date()) throws {
        let at = RecordTime.string(date)
        let sig = try key.signature(for: message(seal: record.seal, signedAt: at))
        record.signature = RecordSignature(algorithm: "ed25519", publicKey: hex(key.publicKey.rawRepresentation),
                                           signature: hex(sig), signedAt: at)
    }

    /// Signs the complete record in `runFolder` with the user's key in
    /// `keyFolder` and rewrites it atomically; the fingerprint and whether the key was new.
    public static func signRun(folder runFolder: String, keyFolder: String) throws -> (fingerprint: String, createdKey: Bool) {
        let path = runFolder + "/record.json"
        var record = try RunStore.read(recordAt: path)
        guard record.status == .complete else {
            throw RecordError.cannotContinue(id: record.id, detail: "it is \(record.status.rawValue); only a complete record can be signed")
        }
        let (key, created) = try userKey(folder: keyFolder)
        try sign(&record, with: key)
        let data = try RecordSeal.fileBytes(&record)
        try RunStore.writeAtomically(data, to: path)
        return (fingerprint(publicKeyHex: record.signature!.publicKey), created)
    }

    /// `$XDG_CONFIG_HOME/kymo`, else `~/.config/kymo`.
    public static func keyFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let x = environment["XDG_CONFIG_HOME"], x.hasPrefix("/") { return x + "/kymo" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.config/kymo"
    }

    /// The user's key in `folder`, created (mode 0600, folder 0700) on first use.
    public static func userKey(folder: String) throws -> (key: Curve25519.Signing.PrivateKey, created: Bool) {
        let path = folder + "/signing-key"
        let fm = FileManager.default
        if let data = fm.contents(atPath: path) {
            var st = stat()
            if stat(path, &st) == 0, st.st_mode & 0o077 != 0 {
                throw RecordError.unreadable(path: path, detail: "the private key is readable by others (mode \(String(st.st_mode & 0o777, radix: 8))); chmod 600 it")
            }
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let raw = bytes(hex: text), raw.count == 32, let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw) else {
                throw RecordError.unreadable(path: path, detail: "not an Ed25519 private key (64 hex digits)")
            }
            return (key, false)
        }
        do { try fm.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]) } catch {
            throw RecordError.notWritable(folder: folder, detail: error.localizedDescription)
        }
        let key = Curve25519.Signing.PrivateKey()
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw RecordError.notWritable(folder: folder, detail: String(cString: strerror(errno))) }
        let text = hex(key.rawRepresentation) + "\n"
        let ok = text.withCString { write(fd, $0, strlen($0)) } == text.utf8.count
        fsync(fd); close(fd)
        guard ok else { throw RecordError.notWritable(folder: folder, detail: "could not write \(path)") }
        try? AtomicFile.write(Array((hex(key.publicKey.rawRepresentation) + "\n").utf8), to: path + ".pub")
        return (key, true)
    }

    public static func hex<D: DataProtocol>(_ d: D) -> String {
        d.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    static func bytes(hex: String) -> [UInt8]? {
        let u = Array(hex.utf8)
        guard u.count % 2 == 0, u.count <= 256 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(u.count / 2)
        var i = 0
        while i < u.count {
            guard let b = UInt8(String(decoding: u[i..<i + 2], as: UTF8.self), radix: 16) else { return nil }
            out.append(b); i += 2
        }
        return out
    }
}
