// SweepClaims: what keeps two `kymo sweep`s of one sweep (started at once,
// or a re-run while the first still runs) from running a point twice, and
// what a re-run does with a point that stopped part-way.
//   claim     `sweep-<id>/claims/point-<N>`, created with O_EXCL before the
//             point starts, holding a Lease (host, pid, period, time) that
//             the sweep renews until the point ends and then removes. A
//             claim whose holder is gone (its pid on this host, or an
//             expired lease from another) is broken and taken over.
//   resume    a point whose newest record of this sweep is `interrupted`
//             (Ctrl-C, SIGTERM, a time limit, or a `running` record whose
//             writer is gone) continues that record with `kymo resume`
//             instead of starting over under a new run id.
//   logs      `logs/point-<N>.<attempt>.log`, a new file per attempt (created
//             with O_EXCL), so a later attempt never overwrites an earlier one.

import Foundation
import KymoBase
import Records

enum SweepClaims {
    static func folder(_ sweepFolder: String) -> String { sweepFolder + "/claims" }
    static func name(_ index: Int) -> String { "point-\(index)" }

    enum Outcome {
        /// This process holds the claim; the keeper renews it until stopped.
        case claimed(LeaseKeeper)
        /// Another live process holds it.
        case held(Lease)
    }

    /// Claims point `index`: creates the claim file with O_EXCL; breaks a claim whose holder is gone.
    static func take(sweepFolder: String, index: Int, period: Double = Lease.period()) throws -> Outcome {
        let dir = folder(sweepFolder)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/" + name(index)
        for _ in 0..<3 {
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
            if fd >= 0 {
                let bytes = Lease.mine(period: period).bytes
                let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                close(fd)
                guard written == bytes.count else { unlink(path); throw ClaimError(path: path, reason: String(cString: strerror(errno))) }
                return .claimed(LeaseKeeper(renewing: path, period: period))
            }
            guard errno == EEXIST else { throw ClaimError(path: path, reason: String(cString: strerror(errno))) }
            if let lease = Lease.read(name: name(index), in: dir) {
                if lease.isHeld { return .held(lease) }
            } else if let age = modificationAge(path), age < 10 {
                // Just created by another sweep and not yet written: held.
                return .held(Lease(host: "?", pid: 0, period: period, renewed: Date().timeIntervalSince1970 - age))
            }
            // Its holder is gone: move it aside (one breaker wins the rename) and try again.
            _ = rename(path, path + ".broken-\(getpid())")
            unlink(path + ".broken-\(getpid())")
        }
        throw ClaimError(path: path, reason: "it changed hands three times while this sweep tried to claim it")
    }

    /// Whether point `index` is claimed by a live process now.
    static func isHeld(sweepFolder: String, index: Int) -> Bool {
        Lease.read(name: name(index), in: folder(sweepFolder))?.isHeld ?? false
    }

    static func modificationAge(_ path: String) -> Double? {
        guard let d = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date else { return nil }
        return Date().timeIntervalSince(d)
    }

    /// A new log for the next attempt at point `index`: `logs/point-N.K.log`, K from 1, never an existing file.
    static func attemptLog(sweepFolder: String, index: Int) throws -> String {
        for attempt in 1... {
            let path = sweepFolder + "/logs/point-\(index).\(attempt).log"
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
            if fd >= 0 { close(fd); return path }
            guard errno == EEXIST else { throw ClaimError(path: path, reason: String(cString: strerror(errno))) }
        }
        fatalError("unreachable")
    }

    /// The newest `interrupted` record of `point` (this notebook text, its overrides and seed): the one
    /// the point names if it is such, else the newest in the folder (a Slurm task's, or one a killed sweep never learned of).
    static func interruptedRecord(of point: SweepPoint, in sweep: SweepRecord, store: RunStore, all: () -> [RunRecord]) -> String? {
        func isMine(_ r: RunRecord) -> Bool {
            r.kind == .run && r.status == .interrupted && r.notebook.sha256 == sweep.notebook.sha256
                && r.seed == point.seed && r.overrides == point.overrides
        }
        if let id = point.run, let r = try? RunStore.read(recordAt: store.recordPath(id)), isMine(r) { return id }
        return all().filter(isMine).last?.id
    }

    struct ClaimError: Error, CustomStringConvertible {
        var path: String
        var reason: String
        var description: String { "cannot claim \(path): \(reason)" }
    }
}
