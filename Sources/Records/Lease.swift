// Lease: how a `running` record shows it is alive to readers on any host.
// The recording process renews `runs/<id>/lease` (its host, pid, renewal
// period and the time, written atomically) every period — a minute by
// default, KYMO_LEASE_SECONDS for tests — from a thread of its own, so a long
// cell renews it too. A record whose writer is on another host is alive while
// its lease is younger than three periods; once older it reads as
// `interrupted` (RunStore.read), wherever it was started, and `kymo resume`
// takes it over. On the writer's own host the process check (ProcessCheck)
// decides at once. Times are the writer's clock in whole seconds since 1970;
// hosts sharing a runs folder are assumed to keep their clocks within a
// period of each other.

import Foundation
import KymoBase

public struct Lease: Equatable, Sendable {
    public static let fileName = "lease"
    /// Renewals a lease may miss before it expires.
    public static let missedRenewals = 3

    public var host: String
    public var pid: Int32
    /// Seconds between renewals.
    public var period: Double
    /// When it was last renewed (seconds since 1970, the writer's clock).
    public var renewed: Double

    public init(host: String, pid: Int32, period: Double, renewed: Double) {
        self.host = host; self.pid = pid; self.period = period; self.renewed = renewed
    }

    /// Seconds between renewals: KYMO_LEASE_SECONDS (a number > 0), else 60.
    public static func period(environment: [String: String] = ProcessInfo.processInfo.environment) -> Double {
        if let s = environment["KYMO_LEASE_SECONDS"], let v = Double(s), v > 0, v.isFinite { return v }
        return 60
    }

    /// Its age now, in seconds (never negative).
    public func age(now: Date = Date()) -> Double { max(0, now.timeIntervalSince1970 - renewed) }

    /// Whether it has gone unrenewed for `missedRenewals` periods.
    public func isExpired(now: Date = Date()) -> Bool { age(now: now) > Double(Lease.missedRenewals) * period }

    var text: String { "host \(host)\npid \(pid)\nperiod \(period)\nrenewed \(renewed)\n" }

    /// The lease in `runFolder`, if it holds a readable one.
    public static func read(runFolder: String) -> Lease? { read(name: fileName, in: runFolder) }

    /// The lease in the file `name` of `folder` (a run's lease, a sweep point's claim).
    public static func read(name: String, in folder: String) -> Lease? {
        // Through the folder's path policy: a regular file inside it, no symlink, no FIFO to hang on.
        guard let data = try? RecordFolderFile.read(name, in: folder, maxBytes: 4096) else { return nil }
        var fields: [String: String] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let space = line.firstIndex(of: " ") else { continue }
            fields[String(line[..<space])] = String(line[line.index(after: space)...])
        }
        guard let host = fields["host"], let pid = fields["pid"].flatMap({ Int32($0) }),
              let period = fields["period"].flatMap({ Double($0) }), let renewed = fields["renewed"].flatMap({ Double($0) }),
              period > 0, period.isFinite, renewed.isFinite else { return nil }
        return Lease(host: host, pid: pid, period: period, renewed: renewed)
    }

    /// A lease of this process, renewed now.
    public static func mine(period: Double, now: Date = Date()) -> Lease {
        Lease(host: ProcessCheck.hostName(), pid: getpid(), period: period, renewed: now.timeIntervalSince1970.rounded(.down))
    }

    /// The file's bytes.
    public var bytes: [UInt8] { Array(text.utf8) }

    /// Writes (renews) the lease of this process at `path`.
    public static func renew(path: String, period: Double, now: Date = Date()) throws {
        try AtomicFile.write(mine(period: period, now: now).bytes, to: path)
    }

    /// Whether the process holding it is alive: on its own host by its pid, elsewhere by its age.
    public var isHeld: Bool {
        guard host == ProcessCheck.hostName() else { return !isExpired() }
        return !(kill(pid, 0) != 0 && errno == ESRCH)
    }

    /// "lease renewed 12 s ago (expires after 180 s)", for messages.
    public func describe(now: Date = Date()) -> String {
        "lease renewed \(Int(age(now: now))) s ago; it expires \(Int(Double(Lease.missedRenewals) * period)) s after its last renewal"
    }
}

/// Renews one lease file (a run folder's `lease`, a sweep point's claim) every period on a thread of its own until stopped.
public final class LeaseKeeper: @unchecked Sendable {
    private let path: String
    private let queue = DispatchQueue(label: "kymo.lease")
    private let timer: DispatchSourceTimer

    /// Writes the run folder's lease now (throws if it cannot) and renews it every `period` seconds.
    public convenience init(runFolder: String, period: Double = Lease.period()) throws {
        try Lease.renew(path: runFolder + "/" + Lease.fileName, period: period)
        self.init(renewing: runFolder + "/" + Lease.fileName, period: period)
    }

    /// Renews the lease at `path` (already written) every `period` seconds.
    public init(renewing path: String, period: Double = Lease.period()) {
        self.path = path
        timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + period, repeating: period)
        timer.setEventHandler { try? Lease.renew(path: path, period: period) }
        timer.resume()
    }

    /// Stops renewing and removes the lease (the record no longer says `running`, the point is no longer claimed).
    public func stop() {
        timer.cancel()
        queue.sync {}   // a renewal already under way ends before the file is removed
        unlink(path)
    }

    deinit { timer.cancel() }
}
