// NotebookFile: reading a notebook's text from disk with a reason when it
// cannot be read — missing, a directory, no read permission, binary (a NUL
// byte), or not UTF-8 (with the byte offset of the first bad byte). The
// hosts print `error.description` (`PATH: error: …`) and exit 1. A `.ipynb`
// file is read as the `.kymo` text of its cells (IpynbFormat).

import KymoLanguage
import Foundation

public enum NotebookFile {
    public struct ReadError: Error, CustomStringConvertible, Equatable {
        public let path: String
        public let reason: String
        public var description: String { "\(path): error: \(reason)" }
    }

    public static func read(_ path: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ReadError(path: path, reason: "no such file")
        }
        if isDirectory.boolValue {
            throw ReadError(path: path, reason: "is a directory, not a notebook file")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let reason = errno == EACCES || !FileManager.default.isReadableFile(atPath: path)
                ? "permission denied (the file is not readable by this user)" : "cannot open the file (\(String(cString: strerror(errno))))"
            throw ReadError(path: path, reason: reason)
        }
        defer { try? handle.close() }
        let data: Data
        do { data = try handle.readToEnd() ?? Data() } catch {
            throw ReadError(path: path, reason: "cannot read the file (\(error.localizedDescription))")
        }
        let text = try decode([UInt8](data), path: path)
        // A Jupyter notebook is read as the `.kymo` text of its cells (IpynbFormat).
        if IpynbFormat.isIpynb(path) {
            do { return try IpynbFormat.kymoText(json: text, path: path) } catch let e as IpynbFormat.FormatError {
                throw ReadError(path: path, reason: e.reason)
            }
        }
        return text
    }

    /// UTF-8 text without NUL bytes, or the reason it is not.
    public static func decode(_ bytes: [UInt8], path: String) throws -> String {
        if let nul = bytes.firstIndex(of: 0) {
            throw ReadError(path: path, reason: "binary file, not notebook text (a NUL byte at byte offset \(nul))")
        }
        if let bad = firstInvalidUTF8(bytes) {
            throw ReadError(path: path, reason: "not UTF-8 text: invalid byte 0x\(bytes[bad] < 16 ? "0" : "")\(String(bytes[bad], radix: 16, uppercase: true)) at byte offset \(bad)"
                + " (line \(bytes[..<bad].filter { $0 == 10 }.count + 1)); save the file as UTF-8")
        }
        var text = String(decoding: bytes, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        return text
    }

    /// The offset of the first byte that does not belong to a well-formed
    /// UTF-8 sequence (no overlong forms, surrogates or values past U+10FFFF).
    public static func firstInvalidUTF8(_ b: [UInt8]) -> Int? {
        var i = 0
        while i < b.count {
            let c = b[i]
            if c < 0x80 { i += 1; continue }
            var need = 0
            var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
            switch c {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lo = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; hi = 0x9F
            case 0xF0: need = 3; lo = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; hi = 0x8F
            default: return i
            }
            for k in 1...need {
                guard i + k < b.count else { return i }
                let x = b[i + k]
                if k == 1 ? !(lo...hi).contains(x) : !(0x80...0xBF).contains(x) { return i }
            }
            i += need + 1
        }
        return nil
    }
}
