// ScratchFolders: the temporary folders tests make, removed when the test
// process exits (KYMO_KEEP_TEST_FILES=1 keeps them for a look after a failure).
import Foundation
import Synchronization

/// The folders tests made, removed at the process's exit (one `atexit` for all).
public enum ScratchFolders {
    private static let folders = Mutex<[String]>([])
    private static let registered: Void = {
        atexit {
            guard ProcessInfo.processInfo.environment["KYMO_KEEP_TEST_FILES"] != "1" else { return }
            for dir in ScratchFolders.folders.withLock({ $0 }) { try? FileManager.default.removeItem(atPath: dir) }
        }
    }()

    public static func removeAtExit(_ dir: String) {
        _ = registered
        folders.withLock { $0.append(dir) }
    }
}
