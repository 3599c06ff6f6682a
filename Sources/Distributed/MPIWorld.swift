// MPIWorld: the one place Kymo talks to MPI. A process launched by `mpirun`
// or `srun` (detected from the launcher's environment, so a plain `kymo`
// never initialises MPI) joins MPI_COMM_WORLD with MPI_Init_thread
// (FUNNELED: only the main thread calls MPI); it offers rank and size,
// byte-exact all-gather and broadcast, a barrier and abort.
//
// Deliberately not here: MPI's float reductions (MPI_Allreduce may regroup
// and reorder a sum, so its bits may depend on the process count; Kymo sums
// gathered values itself, in a fixed order — docs/engine.md), and any notion
// of models or notebooks.

import CMPI

public enum DistributedError: Error, CustomStringConvertible {
    case mpi(call: String, code: Int32, message: String)
    case tooLarge(bytes: Int)

    public var description: String {
        switch self {
        case .mpi(let call, let code, let message): return "\(call) failed (MPI error \(code)): \(message)"
        case .tooLarge(let bytes): return "one MPI message of \(bytes) bytes exceeds 2^31 − 1 bytes"
        }
    }
}

public final class MPIWorld {
    public let rank: Int
    public let size: Int
    /// Bytes this process sent and received through collectives (for `kymo bench scaling`).
    public private(set) var bytesSent = 0
    public private(set) var bytesReceived = 0
    private var finalized = false

    /// The launcher's environment variables that say this process is one of
    /// an MPI job: Open MPI's mpirun, PMI (MPICH, Slurm's srun --mpi=pmi2) and PMIx.
    public static let launcherVariables = ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "PMI_RANK"]

    /// True when a launcher started this process as part of an MPI job.
    public static func launchedByMPI(environment: [String: String]) -> Bool {
        launcherVariables.contains { environment[$0] != nil }
    }

    /// Joins the job. Call once, from the main thread, before any other MPI use.
    public static func initialize() throws -> MPIWorld {
        var provided: Int32 = 0
        try check("MPI_Init_thread", MPI_Init_thread(nil, nil, Int32(MPI_THREAD_FUNNELED), &provided))
        // Errors come back as codes (thrown), so a rank can say which call failed;
        // a peer that dies is still noticed by the launcher, which ends the job.
        try check("MPI_Comm_set_errhandler", MPI_Comm_set_errhandler(kymo_mpi_comm_world(), kymo_mpi_errors_return()))
        var r: Int32 = 0, s: Int32 = 0
        try check("MPI_Comm_rank", MPI_Comm_rank(kymo_mpi_comm_world(), &r))
        try check("MPI_Comm_size", MPI_Comm_size(kymo_mpi_comm_world(), &s))
        return MPIWorld(rank: Int(r), size: Int(s))
    }

    private init(rank: Int, size: Int) {
        self.rank = rank
        self.size = size
    }

    /// Every rank's bytes, concatenated in rank order, on every rank.
    /// `counts[r]` is the number of bytes rank r contributes (the same list on every rank).
    public func allGather(bytes local: UnsafeRawBufferPointer, counts: [Int]) throws -> [UInt8] {
        precondition(counts.count == size && counts[rank] == local.count, "allGather: counts do not match")
        let total = counts.reduce(0, +)
        guard total <= Int(Int32.max) else { throw DistributedError.tooLarge(bytes: total) }
        var displs: [Int32] = [], c32: [Int32] = []
        var at = 0
        for c in counts { displs.append(Int32(at)); c32.append(Int32(c)); at += c }
        var out = [UInt8](repeating: 0, count: max(total, 1))
        var dummy: UInt8 = 0
        try out.withUnsafeMutableBytes { o in
            try withUnsafeMutablePointer(to: &dummy) { d in
                let send = local.count > 0 ? local.baseAddress! : UnsafeRawPointer(d)
                try MPIWorld.check("MPI_Allgatherv", MPI_Allgatherv(send, Int32(local.count), kymo_mpi_byte(),
                                                                     o.baseAddress!, c32, displs, kymo_mpi_byte(),
                                                                     kymo_mpi_comm_world()))
            }
        }
        bytesSent += local.count * (size - 1)
        bytesReceived += total - local.count
        if total == 0 { out.removeAll() }
        return out
    }

    /// Every rank's floats, concatenated in rank order, bit for bit.
    public func allGather(floats local: [Float], counts: [Int]) throws -> [Float] {
        let bytes = try local.withUnsafeBytes { try allGather(bytes: $0, counts: counts.map { $0 * 4 }) }
        return bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    /// Root's bytes on every rank (`buffer` has the same length everywhere).
    public func broadcast(_ buffer: inout [UInt8], root: Int = 0) throws {
        guard buffer.count <= Int(Int32.max) else { throw DistributedError.tooLarge(bytes: buffer.count) }
        let n = buffer.count
        try buffer.withUnsafeMutableBytes { b in
            guard let p = b.baseAddress else { return }
            try MPIWorld.check("MPI_Bcast", MPI_Bcast(p, Int32(n), kymo_mpi_byte(), Int32(root), kymo_mpi_comm_world()))
        }
        if rank == root { bytesSent += n * (size - 1) } else { bytesReceived += n }
    }

    /// Root's floats on every rank, bit for bit.
    public func broadcast(floats: inout [Float], root: Int = 0) throws {
        var bytes = floats.withUnsafeBytes { [UInt8]($0) }
        try broadcast(&bytes, root: root)
        floats = bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    public func barrier() throws {
        try MPIWorld.check("MPI_Barrier", MPI_Barrier(kymo_mpi_comm_world()))
    }

    /// Ends every process of the job with `code` (after an error a peer cannot know of).
    public func abort(code: Int32) -> Never {
        MPI_Abort(kymo_mpi_comm_world(), code)
        fatalError("MPI_Abort returned")
    }

    /// Leaves the job (call once at a clean exit, after the last collective).
    public func finalize() {
        guard !finalized else { return }
        finalized = true
        MPI_Finalize()
    }

    static func check(_ call: String, _ code: Int32) throws {
        guard code != MPI_SUCCESS else { return }
        var buf = [CChar](repeating: 0, count: Int(MPI_MAX_ERROR_STRING) + 1)
        var len: Int32 = 0
        MPI_Error_string(code, &buf, &len)
        throw DistributedError.mpi(call: call, code: code, message: String(cString: buf))
    }
}
