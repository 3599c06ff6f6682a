// ProcessCheck: whether the process that writes a `running` record is still
// alive — pid, host name and the start time in /proc/<pid>/stat, so that a
// recycled pid is not taken for the writer. RunStore uses it to read a record
// whose writer is gone as `interrupted`; it is part of the store's contract,
// not of the host's environment (that is the host's EnvironmentFingerprint).

import Foundation

public enum ProcessCheck {
    public static func hostName() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        guard gethostname(&buf, buf.count) == 0 else { return "unknown" }
        return String(cString: buf)
    }

    /// Field 22 of /proc/<pid>/stat: start time in clock ticks since boot.
    public static func startTicks(_ pid: Int32) -> UInt64? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        // Fields after the command name (which may hold spaces) start at field 3.
        let rest = text[text.index(after: close)...].split(separator: " ")
        return rest.count > 19 ? UInt64(rest[19]) : nil
    }

    public static func current() -> ProcessStamp {
        let pid = getpid()
        return ProcessStamp(pid: pid, host: hostName(), startTicks: startTicks(pid))
    }

    /// A record from another host is alive while the lease its process renews
    /// is fresh (Lease); without a lease of that process it is taken as alive
    /// (it cannot be checked from here).
    public static func isAlive(_ p: ProcessStamp, lease: Lease? = nil, now: Date = Date()) -> Bool {
        guard p.host == hostName() else {
            guard let lease, lease.host == p.host, lease.pid == p.pid else { return true }
            return !lease.isExpired(now: now)
        }
        if kill(p.pid, 0) != 0 && errno == ESRCH { return false }
        guard let recorded = p.startTicks else { return true }
        guard let now = startTicks(p.pid) else { return FileManager.default.fileExists(atPath: "/proc/\(p.pid)") }
        return now == recorded
    }
}
