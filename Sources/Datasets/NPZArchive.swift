// NPZArchive: numpy's `.npz` (np.savez / np.savez_compressed): a zip archive
// of `.npy` members, one per array, named "<variable>.npy". The central
// directory (with zip64 extra fields, which numpy writes) gives each member's
// compression, sizes and local header. A stored member is read in place from
// the memory-mapped archive (nothing copied); a deflated one is inflated into
// memory (zlib raw deflate), since deflate cannot be read at an offset.
// Errors name the archive, the member and what is wrong.
// Deliberately not: encryption, multi-disk archives, other compressions.
import CZlib
import Foundation
import TensorEngine

public final class NPZArchive: @unchecked Sendable {
    public let path: String
    public struct Member: Sendable {
        public let name: String
        let method: UInt16, compressedSize: Int, size: Int, localHeader: Int
    }
    /// The members in archive order.
    public let members: [Member]
    private let base: UnsafeRawPointer
    private let length: Int

    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw TensorError.badFile(path: path, detail: "cannot be opened for reading") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            throw TensorError.badFile(path: path, detail: "is not a regular file")
        }
        let size = Int(st.st_size)
        guard size >= 22 else { throw TensorError.badFile(path: path, detail: "\(size) bytes: too short for a zip archive, so not an .npz") }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw TensorError.badFile(path: path, detail: "cannot be memory-mapped")
        }
        base = UnsafeRawPointer(p)
        length = size
        do { members = try NPZArchive.centralDirectory(base, size, path: path) } catch {
            munmap(p, size)
            throw error
        }
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), length) }

    /// The variable names (member names without ".npy").
    public var variables: [String] { members.map { $0.name.hasSuffix(".npy") ? String($0.name.dropLast(4)) : $0.name } }

    /// The array called `variable` (with or without ".npy").
    public func array(_ variable: String) throws -> NPYArray {
        guard let m = members.first(where: { $0.name == variable || $0.name == variable + ".npy" }) else {
            throw TensorError.badFile(path: path, detail: "has no array \"\(variable)\"; it holds \(variables.map { "\"\($0)\"" }.joined(separator: ", "))")
        }
        let label = "\(path):\(variable)"
        func u16(_ o: Int) -> Int { Int(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: o, as: UInt16.self))) }
        let lh = m.localHeader
        guard lh + 30 <= length, base.loadUnaligned(fromByteOffset: lh, as: UInt32.self) == UInt32(0x04034b50).littleEndian else {
            throw TensorError.badFile(path: path, detail: "member \(m.name): bad local header (a damaged archive)")
        }
        let start = lh + 30 + u16(lh + 26) + u16(lh + 28)
        guard start + m.compressedSize <= length else {
            throw TensorError.badFile(path: path, detail: "member \(m.name) runs past the end of the file (truncated)")
        }
        switch m.method {
        case 0:
            return try NPYArray(path: label, bytes: base + start, length: m.size, owner: self)
        case 8:
            let out = Inflated(count: m.size)
            try out.inflateRaw(base + start, m.compressedSize, path: label)
            return try NPYArray(path: label, bytes: UnsafeRawPointer(out.bytes), length: m.size, owner: out)
        default:
            throw TensorError.badFile(path: path, detail: "member \(m.name) uses zip compression method \(m.method); numpy writes stored (0) or deflate (8)")
        }
    }

    static func centralDirectory(_ b: UnsafeRawPointer, _ n: Int, path: String) throws -> [Member] {
        func bad(_ s: String) -> TensorError { .badFile(path: path, detail: s) }
        func u16(_ o: Int) -> Int { Int(UInt16(littleEndian: b.loadUnaligned(fromByteOffset: o, as: UInt16.self))) }
        func u32(_ o: Int) -> Int { Int(UInt32(littleEndian: b.loadUnaligned(fromByteOffset: o, as: UInt32.self))) }
        func u64(_ o: Int) -> Int { Int(truncatingIfNeeded: UInt64(littleEndian: b.loadUnaligned(fromByteOffset: o, as: UInt64.self))) }
        // End of central directory: the last "PK\5\6" within the final 64 KiB + 22 bytes.
        var eocd = -1
        var o = n - 22
        while o >= max(0, n - 22 - 65535) {
            if u32(o) == 0x06054b50 { eocd = o; break }
            o -= 1
        }
        guard eocd >= 0 else { throw bad("is not a zip archive (no end-of-directory record), so not an .npz file") }
        var entries = u16(eocd + 10), cdOffset = u32(eocd + 16)
        if (entries == 0xFFFF || cdOffset == 0xFFFFFFFF), eocd >= 20, u32(eocd - 20) == 0x07064b50 {
            let z = u64(eocd - 12)   // zip64 end-of-directory record
            guard z >= 0, z + 56 <= n, u32(z) == 0x06064b50 else { throw bad("bad zip64 end-of-directory record") }
            entries = u64(z + 32); cdOffset = u64(z + 48)
        }
        var members: [Member] = []
        var at = cdOffset
        for _ in 0..<entries {
            guard at >= 0, at + 46 <= n, u32(at) == 0x02014b50 else { throw bad("damaged zip central directory") }
            let method = UInt16(u16(at + 10))
            var csize = u32(at + 20), usize = u32(at + 24), local = u32(at + 42)
            let nameLen = u16(at + 28), extraLen = u16(at + 30), commentLen = u16(at + 32)
            guard at + 46 + nameLen + extraLen <= n else { throw bad("damaged zip central directory") }
            let name = String(decoding: UnsafeRawBufferPointer(start: b + at + 46, count: nameLen), as: UTF8.self)
            // zip64 extra field: the 0xFFFFFFFF values follow in order usize, csize, local.
            var e = at + 46 + nameLen
            let end = e + extraLen
            while e + 4 <= end {
                let tag = u16(e), len = u16(e + 2)
                if tag == 1 {
                    var f = e + 4
                    if usize == 0xFFFFFFFF, f + 8 <= e + 4 + len { usize = u64(f); f += 8 }
                    if csize == 0xFFFFFFFF, f + 8 <= e + 4 + len { csize = u64(f); f += 8 }
                    if local == 0xFFFFFFFF, f + 8 <= e + 4 + len { local = u64(f); f += 8 }
                }
                e += 4 + len
            }
            guard usize >= 0, csize >= 0, local >= 0 else { throw bad("member \(name): sizes out of range") }
            members.append(Member(name: name, method: method, compressedSize: csize, size: usize, localHeader: local))
            at = end + commentLen
        }
        return members
    }
}

/// The bytes of an inflated member, alive as long as its NPYArray.
final class Inflated: @unchecked Sendable {
    let bytes: UnsafeMutableRawPointer
    let count: Int
    init(count: Int) {
        self.count = count
        bytes = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 64)
    }
    deinit { bytes.deallocate() }

    /// Raw deflate (zip's method 8) of exactly `count` output bytes.
    func inflateRaw(_ input: UnsafeRawPointer, _ n: Int, path: String) throws {
        var s = z_stream()
        guard inflateInit2_(&s, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw TensorError.badFile(path: path, detail: "zlib could not start inflating")
        }
        defer { inflateEnd(&s) }
        s.next_in = UnsafeMutablePointer(mutating: input.assumingMemoryBound(to: Bytef.self))
        s.avail_in = uInt(n)
        s.next_out = bytes.assumingMemoryBound(to: Bytef.self)
        s.avail_out = uInt(count)
        let status = inflate(&s, Z_FINISH)
        guard status == Z_STREAM_END, Int(s.total_out) == count else {
            throw TensorError.badFile(path: path, detail: "damaged compressed member (zlib status \(status), \(s.total_out) of \(count) bytes)")
        }
    }
}
