// RecordHash: SHA-256 (swift-crypto) as records use it — hex digests of
// text, bytes and files (streamed, so a large checkpoint is never read whole),
// the canonical JSON form of a record, and the seal over it.
// Deliberately not: any other hash, any keyed or secret-based integrity (the
// seal catches hand edits and damage, not a forger who recomputes it).

import Crypto
import Foundation

public enum RecordHash {
    /// The canonical JSON bytes of a value — keys sorted, no insignificant
    /// whitespace, `/` unescaped: what every seal (record, sweep, verdict) covers.
    public static func canonicalJSON<T: Encodable>(_ value: T) throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try e.encode(value)
    }

    public static func hex(of text: String) -> String { hex(of: Data(text.utf8)) }

    public static func hex(of data: Data) -> String { hex(SHA256.hash(data: data)) }

    public static func hex(_ digest: SHA256.Digest) -> String {
        var s = ""
        s.reserveCapacity(64)
        for b in digest {
            s += b < 16 ? "0" + String(b, radix: 16) : String(b, radix: 16)
        }
        return s
    }

    /// SHA-256 and size of a file, read in 1 MiB blocks.
    public static func file(at path: String) throws -> (sha256: String, size: Int) {
        // O_NONBLOCK: a FIFO must not block the open; then only a regular file is read.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw RecordError.unreadable(path: path, detail: "cannot open it") }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw RecordError.unreadable(path: path, detail: "it is \(SpecialFile.kind(mode: st.st_mode) ?? "not a regular file"), never read as an input")
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        var hasher = SHA256()
        var size = 0
        while true {
            let block: Data
            do { block = try handle.read(upToCount: 1 << 20) ?? Data() } catch {
                throw RecordError.unreadable(path: path, detail: "\(error.localizedDescription)")
            }
            if block.isEmpty { break }
            size += block.count
            hasher.update(data: block)
        }
        return (hex(hasher.finalize()), size)
    }
}

/// An incremental SHA-256 for digests built from many parts (values).
public struct RecordHasher {
    private var sha = SHA256()
    /// Small additions gather here and reach SHA-256 in blocks of up to 4 KiB
    /// (the same byte stream, so the same digest; a list of millions of
    /// values hashes without a call into SHA-256 per number).
    private var pending: [UInt8] = []

    public init() { pending.reserveCapacity(Self.block) }

    private static let block = 4096

    private mutating func flush() {
        guard !pending.isEmpty else { return }
        pending.withUnsafeBytes { sha.update(bufferPointer: $0) }
        pending.removeAll(keepingCapacity: true)
    }

    private mutating func put(_ bytes: UnsafeRawBufferPointer) {
        if bytes.count >= Self.block {
            flush()
            sha.update(bufferPointer: bytes)
            return
        }
        pending.append(contentsOf: bytes)
        if pending.count >= Self.block { flush() }
    }

    public mutating func add(_ bytes: UnsafeRawBufferPointer) { put(bytes) }

    public mutating func add(_ data: Data) { data.withUnsafeBytes { put($0) } }

    public mutating func add(_ text: String) {
        add(UInt64(text.utf8.count))
        var t = text
        t.withUTF8 { put(UnsafeRawBufferPointer($0)) }
    }

    public mutating func add(_ v: UInt64) {
        withUnsafeBytes(of: v.littleEndian) { put($0) }
    }

    public mutating func add(tag: UInt8) {
        withUnsafeBytes(of: tag) { put($0) }
    }

    public func finalize() -> String {
        var s = sha
        pending.withUnsafeBytes { s.update(bufferPointer: $0) }
        return RecordHash.hex(s.finalize())
    }
}

/// The canonical JSON form of a record and the seal over it.
public enum RecordSeal {
    /// Keys sorted, no insignificant whitespace, `/` unescaped: the bytes the seal covers.
    public static func canonicalJSON(_ record: RunRecord) throws -> Data {
        var r = record
        r.seal = ""
        r.signature = nil
        return try RecordHash.canonicalJSON(r)
    }

    public static func seal(of record: RunRecord) throws -> String {
        RecordHash.hex(of: try canonicalJSON(record))
    }

    /// The record as written to disk: sealed, keys sorted, indented, ending in a newline.
    public static func fileBytes(_ record: inout RunRecord) throws -> Data {
        record.seal = try seal(of: record)
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        var data = try e.encode(record)
        data.append(0x0A)
        return data
    }
}

/// SHA-256 of files, each hashed once: keyed by the real path, size and
/// modification time, so a file read many times in a run (or checked before
/// a replay and read again by it) costs one pass.
public final class FileHashCache {
    private var known: [String: (size: Int, mtime: Int, sha256: String)] = [:]

    public init() {}

    /// The real path (symlinks resolved) of an existing file.
    public static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    public func hash(_ path: String) throws -> (sha256: String, size: Int) {
        let real = FileHashCache.realPath(path) ?? path
        var st = stat()
        guard stat(real, &st) == 0 else { throw RecordError.unreadable(path: path, detail: "no such file") }
        if let special = SpecialFile.kind(mode: st.st_mode) {
            throw RecordError.unreadable(path: path, detail: "it is \(special), never read as an input")
        }
        let mtime = Int(st.st_mtim.tv_sec) * 1_000_000_000 + Int(st.st_mtim.tv_nsec)
        if let k = known[real], k.size == Int(st.st_size), k.mtime == mtime { return (k.sha256, k.size) }
        let (sha, size) = try RecordHash.file(at: real)
        known[real] = (size, mtime, sha)
        return (sha, size)
    }
}
