// AtomicFile: the one way Kymo replaces a file. The bytes go to a fresh
// temporary file in the target's folder (created with O_EXCL, a name no other
// writer uses), are flushed to disk, the temporary file is renamed over the
// target and the folder is flushed, so the target is either the old file or
// the whole new one, even after a crash or a full disk; on any failure the
// temporary file is removed. Records, safetensors files, figures, reports and
// data files all go through here; each caller turns `AtomicFile.Failure` into
// its own error.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum AtomicFile {
    /// Why a write failed: the target, the folder, and the system's error code.
    public struct Failure: Error, CustomStringConvertible {
        public let path: String
        public let folder: String
        /// `errno` (ENOSPC, EACCES, ENOENT, …).
        public let code: Int32
        public var reason: String { String(cString: strerror(code)) }
        public var description: String { "cannot write \(path): \(reason)" }
        /// Whether the folder is missing (or is not a folder).
        public var folderMissing: Bool { code == ENOENT || code == ENOTDIR }
    }

    /// Stages of a write, at which tests inject a simulated crash.
    public enum Stage: Sendable { case partlyWritten, beforeRename }

    /// Replaces `path` with `bytes`. `fault` runs at each stage and may throw
    /// to simulate a crash there (the temporary file is then left behind, as a
    /// dead process would leave it).
    public static func write(_ bytes: some Collection<UInt8>, to path: String, mode: mode_t = 0o644,
                             fault: ((Stage) throws -> Void)? = nil) throws {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard !base.isEmpty else { throw Failure(path: path, folder: folder, code: EISDIR) }
        let temp = (folder == "/" ? "" : folder) + "/.\(base).tmp-\(getpid())-\(nextSerial())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw Failure(path: path, folder: folder, code: errno) }
        var failure: Int32 = 0
        do {
            try Array(bytes).withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let chunk = min(raw.count - offset, 1 << 20)
                    let w = systemWrite(fd, raw.baseAddress! + offset, chunk)
                    if w < 0, errno == EINTR { continue }
                    if w <= 0 { failure = w < 0 ? errno : EIO; return }
                    offset += w
                    if offset < raw.count { try fault?(.partlyWritten) }
                }
            }
            if failure == 0, fsync(fd) != 0 { failure = errno }
            if failure == 0 { try fault?(.beforeRename) }
        } catch {
            close(fd)
            throw error
        }
        if close(fd) != 0, failure == 0 { failure = errno }
        if failure == 0, rename(temp, path) != 0 { failure = errno }
        guard failure == 0 else {
            unlink(temp)
            throw Failure(path: path, folder: folder, code: failure)
        }
        let dfd = open(folder, O_RDONLY | O_CLOEXEC)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
    }

    private static func systemWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
        #if canImport(Glibc)
        return Glibc.write(fd, p, n)
        #else
        return Darwin.write(fd, p, n)
        #endif
    }
}
