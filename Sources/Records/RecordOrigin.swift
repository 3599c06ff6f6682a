// RecordOrigin: whether a run folder was made on this machine by this user,
// which `kymo resume` asks before it runs a record's code unconfined. When
// `kymo run` creates `runs/<id>/`, it writes `runs/<id>/origin`: an
// HMAC-SHA256 of the run id under a key only this user holds
// (`origin-key` in the key folder, 32 random bytes, mode 0600, made on first
// use). A stranger's record cannot carry a valid mark (they lack the key),
// and a record copied from another machine or user has none that verifies.
// Deliberately not: a signature (it says nothing to anyone else) or a
// promise that a record made here is harmless (only that it is yours).

import Crypto
import Foundation

public enum RecordOrigin {
    public static let fileName = "origin"

    static func message(id: String) -> Data { Data("kymo-origin-v1\n\(id)".utf8) }

    /// The user's origin key in `keyFolder`, made (0600, folder 0700) when `create` and missing.
    static func key(keyFolder: String, create: Bool) -> SymmetricKey? {
        let path = keyFolder + "/origin-key"
        if let data = try? RecordFolderFile.read("origin-key", in: keyFolder, maxBytes: 256) {
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let raw = RecordSigning.bytes(hex: text), raw.count == 32 else { return nil }
            return SymmetricKey(data: raw)
        }
        guard create else { return nil }
        try? FileManager.default.createDirectory(atPath: keyFolder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let key = SymmetricKey(size: .bits256)
        let text = key.withUnsafeBytes { RecordSigning.hex(Array($0)) } + "\n"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            // Made by a concurrent run a moment ago: use that one.
            return errno == EEXIST ? self.key(keyFolder: keyFolder, create: false) : nil
        }
        let ok = text.withCString { write(fd, $0, strlen($0)) } == text.utf8.count
        fsync(fd); close(fd)
        return ok ? key : nil
    }

    static func tag(id: String, key: SymmetricKey) -> String {
        RecordSigning.hex(Array(HMAC<SHA256>.authenticationCode(for: message(id: id), using: key)))
    }

    /// Writes `runFolder/origin` for run `id`; false when it could not.
    @discardableResult
    public static func mark(runFolder: String, id: String, keyFolder: String = RecordSigning.keyFolder()) -> Bool {
        guard let key = key(keyFolder: keyFolder, create: true) else { return false }
        do { try RunStore.writeAtomically(Data((tag(id: id, key: key) + "\n").utf8), to: runFolder + "/" + fileName) } catch { return false }
        return true
    }

    /// Whether `runFolder` holds a valid mark of run `id` under this user's key.
    public static func isMadeHere(runFolder: String, id: String, keyFolder: String = RecordSigning.keyFolder()) -> Bool {
        guard let key = key(keyFolder: keyFolder, create: false),
              let data = try? RecordFolderFile.read(fileName, in: runFolder, maxBytes: 256) else { return false }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let given = RecordSigning.bytes(hex: text), given.count == 32 else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: message(id: id), using: key)
    }
}
