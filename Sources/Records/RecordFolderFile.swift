// RecordFolderFile: the one path policy for every file Kymo reads from a run
// folder it did not necessarily make — artifact copies, checkpoints, replay
// verdicts, logs. A name is relative to the run folder, has no `..`, `.` or
// empty component and is not absolute; it is opened one component at a time
// with `openat(…, O_NOFOLLOW)`, so no symlink anywhere on the way is
// followed (not even one inside the folder), and only a regular file is
// read, at most `maxBytes` of it. An artifact copy is then checked against
// its recorded size and SHA-256 before anyone shows it.
// Deliberately not: a check of the run folder's own path (the user named it).

import Foundation

public enum RecordFolderFile {
    /// Why a file in a run folder was not read.
    public struct Refusal: Error, CustomStringConvertible, Equatable, Sendable {
        public var name: String
        public var reason: String
        public var description: String { "\(RecordLimits.quoted(name)) \(reason)" }
    }

    /// Whether `name` may name a file inside a run folder: relative, no `..`,
    /// `.` or empty component, no control character, at most 4096 bytes.
    public static func isConfinedName(_ name: String) -> Bool {
        guard !name.isEmpty, !name.hasPrefix("/"), name.utf8.count <= 4096, RecordLimits.firstControl(name) == nil else { return false }
        return name.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }

    /// An open descriptor of the regular file `folder/name`, reached without
    /// following any symlink below `folder`, and its size; throws `Refusal`.
    static func openFile(_ name: String, in folder: String) throws -> (fd: Int32, size: Int) {
        guard isConfinedName(name) else {
            throw Refusal(name: name, reason: "does not name a file inside the run folder (absolute, `..`, or empty parts)")
        }
        var dir = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dir >= 0 else { throw Refusal(name: name, reason: "cannot be read: the run folder \(folder) cannot be opened") }
        let parts = name.split(separator: "/").map(String.init)
        for part in parts.dropLast() {
            let next = openat(dir, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            let err = errno
            close(dir)
            guard next >= 0 else { throw Refusal(name: name, reason: why(err, folder: true)) }
            dir = next
        }
        // O_NONBLOCK: a FIFO planted in the folder must not block the open.
        let fd = openat(dir, parts.last!, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        let err = errno
        close(dir)
        guard fd >= 0 else { throw Refusal(name: name, reason: why(err, folder: false)) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw Refusal(name: name, reason: "is not a regular file (a device, FIFO, socket or folder is never read)")
        }
        return (fd, Int(st.st_size))
    }

    /// Throws `Refusal` unless `folder/name` is a regular file reached without a symlink.
    public static func check(_ name: String, in folder: String) throws {
        close(try openFile(name, in: folder).fd)
    }

    /// The bytes of `folder/name`, read without following any symlink below
    /// `folder`; throws `Refusal` naming why not.
    public static func read(_ name: String, in folder: String, maxBytes: Int = RecordLimits.maxRecordBytes) throws -> Data {
        let (fd, size) = try openFile(name, in: folder)
        defer { close(fd) }
        guard size <= maxBytes else {
            throw Refusal(name: name, reason: "is \(size) bytes, more than the \(maxBytes) allowed")
        }
        var data = Data(count: size)
        var off = 0
        let total = data.count
        let failed: Bool = data.withUnsafeMutableBytes { raw in
            while off < total {
                let n = Foundation.read(fd, raw.baseAddress! + off, total - off)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return n < 0 }
                off += n
            }
            return false
        }
        guard !failed else { throw Refusal(name: name, reason: "cannot be read: \(String(cString: strerror(errno)))") }
        return data.prefix(off)
    }

    static func why(_ err: Int32, folder: Bool) -> String {
        switch err {
        case ELOOP where !folder: return "is a symlink (files in a run folder are never read through one)"
        case ELOOP, ENOTDIR: return "leads through a symlink or a file (files in a run folder are never read through one)"
        case ENOENT: return "is missing"
        default: return "cannot be read: \(String(cString: strerror(err)))"
        }
    }

    /// An artifact's copy in its run folder, as a reader may use it.
    public enum ArtifactCopy: Equatable, Sendable {
        /// The copy's bytes, with the recorded size and SHA-256.
        case verified(Data)
        /// No copy recorded, or the copy is missing.
        case absent(String)
        /// A copy that must not be shown: a name leading out, a symlink, a
        /// special file, or bytes that are not the recorded ones.
        case refused(String)
    }

    /// `artifact.copy` read under the path policy and checked against the
    /// artifact's recorded size and SHA-256.
    public static func artifact(_ a: ArtifactRecord, in folder: String) -> ArtifactCopy {
        guard let copy = a.copy else { return .absent("no copy in the run folder") }
        let data: Data
        do { data = try read(copy, in: folder, maxBytes: min(RecordLimits.maxFileSize, RecordLimits.maxRecordBytes)) } catch let r as Refusal {
            return r.reason == "is missing" ? .absent("the copy \(RecordLimits.quoted(copy)) is missing") : .refused("the copy \(r)")
        } catch {
            return .refused("the copy \(RecordLimits.quoted(copy)) cannot be read")
        }
        guard data.count == a.size else {
            return .refused("the copy \(RecordLimits.quoted(copy)) is \(data.count) bytes, but the record says \(a.size)")
        }
        let sha = RecordHash.hex(of: data)
        guard sha == a.sha256 else {
            return .refused("the copy \(RecordLimits.quoted(copy)) has SHA-256 \(sha.prefix(12))…, but the record says \(a.sha256.prefix(12))…")
        }
        return .verified(data)
    }
}
