// SpecialFile: what a path is when it is not a regular file or a folder — a
// character or block device (`/dev/zero`, `/dev/random`), a FIFO or a
// socket. Kymo never reads one as an input: reading `/dev/zero` never ends,
// a FIFO blocks until someone writes. Checked after symlinks are resolved.
// Deliberately not: a check of what a regular file holds (the readers do).

import Foundation

public enum SpecialFile {
    /// `a character device`, `a FIFO` … for a special file; nil for a regular
    /// file, a folder, or a path that does not exist.
    public static func kind(_ path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return kind(mode: st.st_mode)
    }

    public static func kind(mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG, S_IFDIR: return nil
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFIFO: return "a FIFO"
        case S_IFSOCK: return "a socket"
        default: return "not a regular file"
        }
    }
}
