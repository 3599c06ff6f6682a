// MemoryBudget: the bytes a notebook may hold, and the bytes it holds now.
// Every tensor buffer (TensorEngine's Storage) is counted while it lives;
// the language checks the other things a notebook can make (lists, strings,
// records, models before they are built, datasets, training before its
// first step) against what is left before allocating them, and checks the
// count again after every built-in call and operator. Past the budget the
// interpreter raises a clean error naming what was asked for and the budget.
//
// The default limit is 3/4 of the smallest of the machine's physical memory
// and the cgroup's memory limit, or 1/2 of the address-space limit
// (`ulimit -v`) when that is lower (an address space also holds code, stacks
// and allocator arenas); `--memory` / KYMO_MEMORY set it ("6G", "512M",
// bytes). Deliberately not: counting every small allocation (names, short
// strings), or any policy beyond "refuse what would not fit".

import Foundation

public final class MemoryBudget: @unchecked Sendable {
    /// The process's budget: the one tensors are counted against.
    public static let process = MemoryBudget(limit: MemoryBudget.defaultLimit())

    private let lock = NSLock()
    private var _limit: Int
    private var _inUse = 0
    private var _peak = 0

    public init(limit: Int) { _limit = max(0, limit) }

    /// The budget in bytes.
    public var limit: Int {
        get { lock.lock(); defer { lock.unlock() }; return _limit }
        set { lock.lock(); _limit = max(0, newValue); lock.unlock() }
    }

    /// Bytes counted now (live tensor buffers).
    public var inUse: Int { lock.lock(); defer { lock.unlock() }; return _inUse }

    /// The most bytes counted at once since the last `resetPeak()`.
    public var peak: Int { lock.lock(); defer { lock.unlock() }; return _peak }

    public func resetPeak() { lock.lock(); _peak = _inUse; lock.unlock() }

    /// A buffer of `bytes` now lives (it is counted whether or not it fits).
    public func allocated(_ bytes: Int) {
        lock.lock()
        _inUse &+= bytes
        if _inUse > _peak { _peak = _inUse }
        lock.unlock()
    }

    /// A counted buffer of `bytes` is gone.
    public func released(_ bytes: Int) {
        lock.lock(); _inUse &-= bytes; lock.unlock()
    }

    /// Throws unless `bytes` more (for `what`) fit beside what is counted now.
    /// `bytes` is nil when the size overflows an Int.
    public func check(_ bytes: Int?, for what: String) throws {
        lock.lock()
        let (limit, used) = (_limit, _inUse)
        lock.unlock()
        guard let bytes, bytes >= 0, bytes <= limit - min(used, limit) else {
            throw MemoryBudgetExceeded(what: what, bytes: bytes, inUse: used, limit: limit)
        }
    }

    /// Throws when what is counted now is over the budget (after `what` ran).
    public func checkInUse(after what: String) throws {
        lock.lock()
        let (limit, used) = (_limit, _inUse)
        lock.unlock()
        if used > limit { throw MemoryBudgetExceeded(what: what, bytes: nil, inUse: used, limit: limit, after: true) }
    }

    // MARK: - The default limit

    /// See the file's header. Always at least 64 MiB.
    public static func defaultLimit(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        if let text = environment["KYMO_MEMORY"], let n = parse(text) { return n }
        return machineLimit(physical: physicalMemory(), cgroup: cgroupLimit(), addressSpace: addressSpaceLimit())
    }

    /// 3/4 of min(physical, cgroup), or 1/2 of the address-space limit when lower.
    public static func machineLimit(physical: Int, cgroup: Int?, addressSpace: Int?) -> Int {
        var limit = min(physical, cgroup ?? Int.max) / 4 * 3
        if let a = addressSpace { limit = min(limit, a / 2) }
        return max(limit, 64 << 20)
    }

    /// "6G", "512M", "64k", "1.5G", or a number of bytes; nil when it is none of these.
    public static func parse(_ text: String) -> Int? {
        var t = text.trimmingCharacters(in: .whitespaces).uppercased()
        if t.hasSuffix("IB") { t.removeLast(2) } else if t.hasSuffix("B") { t.removeLast() }
        let units: [Character: Double] = ["K": 1024, "M": 1024 * 1024, "G": 1024 * 1024 * 1024, "T": 1024 * 1024 * 1024 * 1024]
        var scale = 1.0
        if let last = t.last, let u = units[last] { scale = u; t.removeLast() }
        guard let v = Double(t), v.isFinite, v > 0 else { return nil }
        let bytes = v * scale
        guard bytes >= 1, bytes < 9.0e18 else { return nil }
        return Int(bytes)
    }

    /// The budget as people read it: "4.0 GiB", "512.0 MiB".
    public static func describe(_ bytes: Int) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
        var v = Double(bytes), i = 0
        while v >= 1024 && i < units.count - 1 { v /= 1024; i += 1 }
        return i == 0 ? "\(bytes) bytes" : String(format: "%.1f %@", v, units[i])
    }

    static func physicalMemory() -> Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, size > 0 else { return 4 << 30 }
        return pages.multipliedReportingOverflow(by: size).overflow ? Int.max : pages * size
    }

    /// cgroup v2 `memory.max` or v1 `memory.limit_in_bytes` of this process; nil when unlimited or unknown.
    static func cgroupLimit() -> Int? {
        for path in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if let n = Int(t), n > 0, n < Int.max / 2 { return n }
        }
        return nil
    }

    static func addressSpaceLimit() -> Int? {
        var r = rlimit()
        // RLIM_INFINITY is the largest value: it fails the second test.
        guard getrlimit(Int32(RLIMIT_AS.rawValue), &r) == 0, r.rlim_cur < UInt64(Int.max) else { return nil }
        return Int(r.rlim_cur)
    }
}

/// What was asked for and the budget; the interpreter turns it into a
/// `file:line:col: error:`.
public struct MemoryBudgetExceeded: Error, CustomStringConvertible, Sendable {
    public let what: String
    /// The bytes asked for (nil: more than an Int can say, or unknown).
    public let bytes: Int?
    public let inUse: Int
    public let limit: Int
    /// Found after `what` ran (the tensors it made went over), not before.
    public var after = false

    public var description: String {
        let budget = "the memory budget of \(MemoryBudget.describe(limit)) (\(limit) bytes; --memory or KYMO_MEMORY to change it)"
        if after {
            return "\(what) went over \(budget): tensors now hold \(MemoryBudget.describe(inUse))"
        }
        let asked = bytes.map { "\(MemoryBudget.describe($0)) (\($0) bytes)" } ?? "more bytes than can be counted"
        let held = inUse > 0 ? ", with \(MemoryBudget.describe(inUse)) already held" : ""
        return "\(what) needs \(asked), over \(budget)\(held)"
    }
}
