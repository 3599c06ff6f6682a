// PathPolicy: where a session's built-ins may read and write — the one rule
// `CallContext.resolvePath` applies. Unconfined (the default) a path means
// what it says, relative to the working directory. Confined (`kymo replay`,
// `kymo run --confined`):
// - every write is mapped inside `writeRoot`: `figs/a.svg` → `<root>/figs/a.svg`,
//   an absolute `/home/u/.bashrc` → `<root>/_root/home/u/.bashrc`, each `..`
//   → `_up`; no symlink inside the root is followed (a write through one is
//   refused), so nothing is written outside it;
// - a read must be a file the session wrote (read back from where it was
//   mapped), a file named in `readableFiles`, or lie inside one of
//   `readableFolders` (the user's data folder, `confinedDataFolders`, and for
//   `kymo run --confined` the notebook's folder) once symlinks are resolved; `redirects` maps a recorded
//   input's name to where it was found on this machine. Anything else is
//   refused with an error naming the path.
// Deliberately not: a sandbox for CPU or memory (docs/records.md, "Threat model").

import KymoLanguage
import Foundation
import Records
import Datasets

public struct PathPolicy: Sendable {
    /// Nil: unconfined. Otherwise every write lands inside this folder.
    public var writeRoot: String?
    /// Nil: any file may be read. Otherwise only these (and `readableFolders`).
    public var readableFiles: [String]?
    public var readableFolders: [String] = []
    /// A notebook path (as resolved against the working directory) → the file to read instead.
    public var redirects: [String: String] = [:]
    /// A folder as the notebook names it (resolved) → the folder its redirected inputs were found in.
    public var folderRedirects: [String: String] = [:]

    public init() {}

    public static let unconfined = PathPolicy()

    /// Confined: writes inside `writeRoot`, reads only from `files` and `folders`.
    public static func confined(writeRoot: String, readableFiles: [String], readableFolders: [String],
                                redirects: [String: String] = [:]) -> PathPolicy {
        var p = PathPolicy()
        p.writeRoot = writeRoot
        p.readableFiles = readableFiles
        p.readableFolders = readableFolders
        p.redirects = redirects
        return p
    }

    /// `kymo run --confined`: reads from the data folder and the notebook's
    /// folder (symlinks resolved); the writes' root is the run folder's
    /// `files/`, set once the run id is known (`RecordedRunOptions.confineWritesToRunFolder`).
    public static func confinedRun(notebookFolder: String) -> PathPolicy {
        var p = PathPolicy()
        p.readableFiles = []
        p.readableFolders = confinedDataFolders() + [notebookFolder]
        return p
    }

    /// The data folder a confined session may read: the user's data folder
    /// (`$KYMO_DATA`, else `$XDG_DATA_HOME/kymo`, else `~/.local/share/kymo`)
    /// only — not the `data/` of the current folder and every folder above
    /// it, which unconfined runs also search.
    public static func confinedDataFolders(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        Digits.userDataDirectory(environment: environment).map { [$0] } ?? []
    }

    public var isConfined: Bool { writeRoot != nil || readableFiles != nil }

    /// `path` (as the notebook wrote it, already resolved against the working
    /// directory or not) as a relative path with no `..`, for inside the root.
    public static func confinedRelative(_ path: String) -> String {
        var parts: [String] = path.hasPrefix("/") ? ["_root"] : []
        for c in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch c {
            case ".": continue
            case "..": parts.append("_up")
            default: parts.append(String(c))
            }
        }
        return parts.isEmpty ? "_empty" : parts.joined(separator: "/")
    }

    /// The file a write of `path` goes to, with its folders made inside the
    /// root; throws when a symlink lies on the way.
    func writeTarget(for path: String, root: String) throws -> String {
        let relative = PathPolicy.confinedRelative(path)
        var dir = root
        let parts = relative.split(separator: "/").map(String.init)
        for (k, part) in parts.enumerated() {
            let next = dir + "/" + part
            var st = stat()
            if lstat(next, &st) == 0 {
                if (st.st_mode & S_IFMT) == S_IFLNK {
                    throw BuiltinError("refusing to write \(path): \(next) is a symlink (a confined run writes only inside \(root))")
                }
            } else if k < parts.count - 1 {
                guard mkdir(next, 0o755) == 0 || errno == EEXIST else {
                    throw BuiltinError("cannot create folder \(next) for \(path): \(String(cString: strerror(errno)))")
                }
            }
            dir = next
        }
        return dir
    }

    /// The folder to look in for the notebook's `folder` (resolved): where its
    /// inputs were found, for a replay; else the folder itself.
    public func lookIn(_ folder: String) -> String {
        let f = folder.count > 1 && folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        return folderRedirects[f] ?? folder
    }

    /// Whether a read of `file` (resolved) is allowed.
    func mayRead(_ file: String) -> Bool {
        guard let files = readableFiles else { return true }
        let real = FileHashCache.realPath(file) ?? file
        if files.contains(where: { (FileHashCache.realPath($0) ?? $0) == real }) { return true }
        for folder in readableFolders {
            let f = FileHashCache.realPath(folder) ?? folder
            if real == f || real.hasPrefix(f.hasSuffix("/") ? f : f + "/") { return true }
        }
        if let root = writeRoot {
            let r = FileHashCache.realPath(root) ?? root
            if real.hasPrefix(r + "/") { return true }
        }
        return false
    }
}
