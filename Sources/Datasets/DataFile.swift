// DataFile: reading a whole data file into memory, transparently gunzipping
// when its first bytes are the gzip magic number, with errors that name the
// file. Deliberately not: memory mapping (see NPYArray for the large file).
import Foundation
import KymoBase
import TensorEngine

public enum DataFile {
    /// The file's bytes, decompressed if it is gzip (detected by content, not name).
    public static func read(_ path: String) throws -> [UInt8] {
        let raw = try readRaw(path)
        return Gzip.isGzip(raw) ? try Gzip.inflate(raw, path: path) : raw
    }

    /// The file's bytes as stored.
    public static func readRaw(_ path: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw TensorError.badFile(path: path, detail: "no such file")
        }
        if isDirectory.boolValue {
            throw TensorError.badFile(path: path, detail: "is a directory, not a file")
        }
        // O_NONBLOCK: a FIFO must not block the open; only a regular file is read
        // (`/dev/zero` would never end).
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw TensorError.badFile(path: path, detail: "cannot be opened for reading") }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw TensorError.badFile(path: path, detail: "is not a regular file (a device, FIFO or socket is never read)")
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        do {
            let data = try handle.readToEnd() ?? Data()
            return [UInt8](data)
        } catch {
            throw TensorError.badFile(path: path, detail: "read failed: \(error.localizedDescription)")
        }
    }

    /// Writes bytes atomically (`AtomicFile`).
    public static func write(_ bytes: [UInt8], to path: String) throws {
        do { try AtomicFile.write(bytes, to: path) } catch let f as AtomicFile.Failure {
            throw TensorError.badFile(path: path, detail: "cannot write: \(f.reason)")
        }
    }
}
