// AtomicFile: replace a file's contents all at once. The bytes go to a new
// temporary file in the target's directory, are flushed to disk, and the
// temporary file is renamed over the target; on any failure it is removed and
// the target is left as it was. Errors name the target path and the cause.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

enum AtomicFile {
    private static let lock = NSLock()
    // Guarded by `lock`.
    nonisolated(unsafe) private static var counter = 0

    static func write(_ bytes: [UInt8], to path: String) throws {
        guard !path.isEmpty, !path.hasSuffix("/") else {
            throw FigureSaveError.cannotWrite(path: path, reason: "not a file path")
        }
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[..<$0]) } ?? "."
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let n: Int = lock.withLock { counter += 1; return counter }
        let temp = (dir.isEmpty ? "" : dir) + "/.\(base).tmp-\(getpid())-\(n)"

        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard fd >= 0 else {
            let why = errnoText()
            var isDir: ObjCBool = false
            let dirExists = FileManager.default.fileExists(atPath: dir.isEmpty ? "/" : dir, isDirectory: &isDir)
            let reason = !dirExists ? "directory '\(dir)' does not exist"
                : !isDir.boolValue ? "'\(dir)' is not a directory"
                : "cannot create a file in '\(dir)': \(why)"
            throw FigureSaveError.cannotWrite(path: path, reason: reason)
        }
        var written = 0
        var failure: String? = nil
        bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let r = systemWrite(fd, raw.baseAddress! + written, raw.count - written)
                if r < 0 {
                    if errno == EINTR { continue }
                    failure = errnoText(); return
                }
                written += r
            }
        }
        if failure == nil && fsync(fd) != 0 { failure = errnoText() }
        if close(fd) != 0 && failure == nil { failure = errnoText() }
        if let failure {
            unlink(temp)
            throw FigureSaveError.cannotWrite(path: path, reason: failure)
        }
        if rename(temp, path) != 0 {
            let why = errnoText()
            unlink(temp)
            throw FigureSaveError.cannotWrite(path: path, reason: why)
        }
    }

    private static func systemWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
        #if canImport(Glibc)
        return Glibc.write(fd, p, n)
        #else
        return Darwin.write(fd, p, n)
        #endif
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
