// ScratchFolders: the temporary folders tests make, removed when the test
// process exits (KYMO_KEEP_TEST_FILES=1 keeps them for a look after a failure).
// `make` is the one way tests get a fresh folder; `removeAtExit` also takes a
// folder or file made elsewhere.
import Foundation
import Synchronization

/// The folders tests made, removed at the process's exit (one `atexit` for all).
public enum ScratchFolders {
    private static let folders = Mutex<[String]>([])
    private static let made = Atomic<Int>(0)
    private static let registered: Void = {
        atexit {
            guard ProcessInfo.processInfo.environment["KYMO_KEEP_TEST_FILES"] != "1" else { return }
            for dir in ScratchFolders.folders.withLock({ $0 }) { try? FileManager.default.removeItem(atPath: dir) }
        }
    }()

    /// A fresh, empty folder under the system temporary directory, named
    /// kymo-<name>-<pid>-<n> (name cut to letters, digits and '-'), removed at exit.
    public static func make(_ name: String) -> String {
        let safe = String(name.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }.prefix(60))
        let n = made.add(1, ordering: .relaxed).newValue
        let dir = NSTemporaryDirectory() + "kymo-\(safe)-\(getpid())-\(n)"
        try? FileManager.default.removeItem(atPath: dir)
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        removeAtExit(dir)
        return dir
    }

    /// Removes `path` (a folder or a file) when the test process exits.
    public static func removeAtExit(_ path: String) {
        _ = registered
        folders.withLock { $0.append(path) }
    }
}
