// MPIJob: `kymo` as one process of an MPI job (`mpirun -np N kymo run …`,
// `srun kymo run …`, or `kymo run … --procs N`, which starts mpirun itself).
// Every rank runs every cell; the Models layer splits batches and sequences
// over the ranks (ProcessGroup). Only rank 0 prints, keeps the record and
// writes files; the other ranks keep an in-memory record under rank 0's run
// id and write into a scratch folder of their own. After each cell the ranks
// compare a digest of what it printed, bound and logged, so a divergence (a
// bug) fails the run with the ranks named instead of hanging.
// Deliberately not: any numerics (Models), or MPI calls (Distributed).

import ArgumentParser
import Distributed
import Foundation
import Models
import KymoLanguage
import Notebook
import Records

/// The job's processes, as Models sees them: byte-exact all-gathers over MPI.
final class MPIGroup: ProcessGroup {
    let world: MPIWorld
    /// Seconds spent inside all-gathers so far (`kymo bench scaling`).
    private(set) var gatherSeconds = 0.0

    init(world: MPIWorld) { self.world = world }

    var rank: Int { world.rank }
    var size: Int { world.size }

    func allGather(bytes: [UInt8], counts: [Int]) throws -> [UInt8] {
        let t0 = DispatchTime.now().uptimeNanoseconds
        defer { gatherSeconds += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9 }
        return try bytes.withUnsafeBytes { try world.allGather(bytes: $0, counts: counts) }
    }
}

struct RankDivergence: Error, CustomStringConvertible {
    let cell: Int
    let ranks: [Int]
    var description: String {
        "the processes diverged in cell \(cell): rank\(ranks.count == 1 ? "" : "s") \(ranks.map(String.init).joined(separator: ", ")) computed something other than rank 0 (a bug in Kymo: please report it); stopped"
    }
}

enum MPIJob {
    /// The job this process is part of, joined on first use; nil for a plain
    /// `kymo` (no launcher in the environment: MPI is never initialised).
    /// Safe to share: initialised once (Swift's static initialisation is
    /// thread-safe) and used only by the main thread, which drives the job.
    nonisolated(unsafe) static let current: MPIGroup? = {
        guard MPIWorld.launchedByMPI(environment: ProcessInfo.processInfo.environment) else { return nil }
        do {
            let group = MPIGroup(world: try MPIWorld.initialize())
            atexit { MPIJob.current?.world.finalize() }
            return group
        } catch {
            FileHandle.standardError.write(Data("kymo: cannot join the MPI job: \(error)\n".utf8))
            exit(ExitStatus.couldNot.rawValue)
        }
    }()

    /// Processes in this run (1 without a launcher).
    static var processes: Int { current?.size ?? 1 }

    /// True where this process prints and writes: rank 0 or a plain run.
    static var isLeader: Bool { (current?.rank ?? 0) == 0 }

    /// The host of a recorded run on this rank of the job (`base` as it is
    /// for a plain run): the process group, the per-cell cross-check, the
    /// shared run id, and on the non-zero ranks no output, no stored record
    /// and a scratch folder for files.
    static func host(_ base: RunHost, sharesRunID: Bool) -> RunHost {
        var o = base
        guard let g = current, g.size > 1 else { return o }
        o.processGroup = g
        o.crossCheck = { cell, digest in
            let hex = Array(RecordHash.hex(of: digest).utf8)
            let all = try g.allGather(bytes: hex, counts: Array(repeating: hex.count, count: g.size))
            let first = Array(all[0..<hex.count])
            let differ = (1..<g.size).filter { Array(all[$0 * hex.count ..< ($0 + 1) * hex.count]) != first }
            if !differ.isEmpty { throw RankDivergence(cell: cell, ranks: differ) }
        }
        if sharesRunID {
            o.shareRunID = { id in
                var length = [UInt8](repeating: 0, count: 8)
                var bytes = Array((id ?? "").utf8)
                if g.rank == 0 { withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { length = Array($0) } }
                try g.world.broadcast(&length)
                let n = length.withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
                if g.rank != 0 { bytes = [UInt8](repeating: 0, count: n) }
                try g.world.broadcast(&bytes)
                return String(decoding: bytes, as: UTF8.self)
            }
        }
        if g.rank != 0 {
            o.keepsRecord = false
            o.output = BufferSink()
            o.progress = SilentProgress()
            let scratch = NSTemporaryDirectory() + "kymo-rank\(g.rank)-\(getpid())"
            try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            o.writeFolder = scratch
            atexit { if let g = MPIJob.current { try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "kymo-rank\(g.rank)-\(getpid())") } }
        }
        return o
    }

    /// mpirun, where Open MPI installs it (nil: not installed).
    static var mpirun: String? {
        ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? Sweep.which("mpirun")
    }

    /// mpirun's options for `procs` processes of this binary, and what kymo
    /// added on its own (said on standard error by the caller):
    /// `--oversubscribe` when there are more processes than cores, and
    /// `--allow-run-as-root` when running as root (Open MPI refuses root otherwise).
    static func launchArguments(procs: Int, arguments: [String]) -> (arguments: [String], notes: [String]) {
        var args = ["-np", "\(procs)"], notes: [String] = []
        let cores = ProcessInfo.processInfo.activeProcessorCount
        if procs > cores {
            args.append("--oversubscribe")
            notes.append("\(procs) processes on \(cores) cores: mpirun --oversubscribe (each process gets less than a core)")
        }
        if getuid() == 0 {
            args.append("--allow-run-as-root")
            notes.append("running as root: mpirun --allow-run-as-root")
        }
        return (args + [RunningExecutable.path] + arguments, notes)
    }

    /// `kymo run|resume … --procs N` outside a launcher: runs the same command
    /// line, without `--procs`, under `mpirun -np N` and exits with its status.
    /// Returns only when there is nothing to relaunch (no --procs, or already under MPI).
    static func relaunchIfAsked(procs: Int?, command: String) throws {
        guard let procs, MPIJob.current == nil else { return }
        guard procs >= 1 else { throw ValidationError("--procs must be at least 1") }
        var args = Array(CommandLine.arguments.dropFirst())
        if let i = args.firstIndex(of: "--procs") { args.removeSubrange(i...min(i + 1, args.count - 1)) }
        args.removeAll { $0.hasPrefix("--procs=") }
        relaunch(procs: procs, arguments: args, command: command)
    }

    /// Runs this binary with `arguments` under `mpirun -np procs` and exits with its status (never returns).
    static func relaunch(procs: Int, arguments: [String], command: String) -> Never {
        guard let mpirun else {
            FileHandle.standardError.write(Data("kymo \(command): --procs needs mpirun (Open MPI: apt-get install openmpi-bin)\n".utf8))
            exit(ExitStatus.couldNot.rawValue)
        }
        let (args, notes) = launchArguments(procs: procs, arguments: arguments)
        for n in notes { FileHandle.standardError.write(Data("kymo \(command): \(n)\n".utf8)) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: mpirun)
        p.arguments = args
        do { try p.run() } catch {
            FileHandle.standardError.write(Data("kymo \(command): cannot start \(mpirun): \(error)\n".utf8))
            exit(ExitStatus.couldNot.rawValue)
        }
        Interrupts.forwardTerminationSignals(to: p.processIdentifier)
        p.waitUntilExit()
        exit(p.terminationReason == .uncaughtSignal ? 128 + p.terminationStatus : p.terminationStatus)
    }
}
