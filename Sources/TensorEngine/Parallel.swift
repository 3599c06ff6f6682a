// Deterministic parallelism. Work is cut into chunks whose boundaries depend
// only on the problem size (never on the thread count); threads merely pick
// which chunks they run. Every chunk writes its own outputs, and reductions
// across chunks are combined afterwards in chunk order. So results are bitwise
// identical for 1, 2 or any number of threads. Kymo's GEMM is single-threaded
// and called inside these chunks. `Engine` (Engine.swift) holds the thread count.
import Dispatch
import CKymoGEMM
import Foundation

/// Elements per chunk of memory-bound elementwise work (fixed, so chunk
/// boundaries never depend on the thread count).
let elementwiseGrain = 1 << 15


public enum Parallel {
    /// Runs `body(lo, hi, worker)` over `0..<count` cut into fixed chunks of
    /// `grain` items (the last may be shorter). `worker` is in 0..<threads and
    /// is only for choosing scratch memory, never for choosing work.
    public static func forChunks(count: Int, grain: Int, _ body: (Int, Int, Int) -> Void) {
        if count <= 0 { return }
        let g = max(1, grain)
        let chunks = (count + g - 1) / g
        forEach(chunks) { c, worker in
            body(c * g, min(count, (c + 1) * g), worker)
        }
    }

    /// Runs `body(item, worker)` for every item in `0..<count`; item `i` is
    /// run by worker `i % threads`. Inside a lane (`lanes`) the items run in
    /// order on the lane's own thread, as worker `lane`.
    public static func forEach(_ count: Int, _ body: (Int, Int) -> Void) {
        Engine.ensureConfigured()
        let lane = Int(kymo_lane())
        if lane >= 0 {
            for i in 0..<count { body(i, lane) }
            return
        }
        let t = min(Engine.threads, count)
        if t <= 1 {
            for i in 0..<count { body(i, 0) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let shared = WorkerBody(body)
            DispatchQueue.concurrentPerform(iterations: t) { w in
                var i = w
                while i < count { shared.value(i, w); i += t }
            }
        }
    }
}

extension Parallel {
    /// Runs `body(item)` for every item in `0..<count` as independent
    /// computations side by side: up to `threads` lanes, each a thread of its
    /// own that takes the next item no lane has taken yet (so a lane whose
    /// thread was held up leaves its items to the others) and runs every op
    /// inside it single-threaded (ops
    /// never depend on the thread count, so each item's bits are those of a
    /// run alone). For work whose ops are too small to spread, such as one
    /// sample's forward and backward. Lanes start with the caller's gradient
    /// mode. Errors: the first by item order is rethrown once all have run.
    /// Nested calls run their items in order on the calling lane.
    public static func lanes(_ count: Int, _ body: (Int) throws -> Void) throws {
        Engine.ensureConfigured()
        let t = min(Engine.threads, count)
        if t <= 1 || kymo_lane() >= 0 {
            for i in 0..<count { try body(i) }
            return
        }
        let grad = GradMode.isEnabled
        let errors = LaneErrors(count)
        let items = LaneItems(count)
        withoutActuallyEscaping(body) { body in
            let shared = WorkerBody(body)
            DispatchQueue.concurrentPerform(iterations: t) { w in
                // One iteration may run on the calling thread: put its state back afterwards.
                let savedLane = kymo_lane(), savedGrad = GradMode.isEnabled
                kymo_set_lane(Int32(w))
                GradMode.set(enabled: grad)
                defer { kymo_set_lane(savedLane); GradMode.set(enabled: savedGrad) }
                while let i = items.next() {
                    do { try shared.value(i) } catch { errors.set(i, error) }
                }
            }
        }
        if let e = errors.first { throw e }
    }
}

/// A non-escaping body handed to the worker threads. Safe to share: the
/// threads run it only inside `concurrentPerform`, which returns after every
/// iteration has finished, and each item writes only what it owns (the chunk
/// rule at the top of this file).
struct WorkerBody<Body>: @unchecked Sendable {
    let value: Body
    init(_ value: Body) { self.value = value }
}

/// The items of a `lanes` call, handed out in order, each once.
final class LaneItems: @unchecked Sendable {
    private var taken = 0
    private let count: Int
    private let lock = NSLock()
    init(_ count: Int) { self.count = count }
    func next() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard taken < count else { return nil }
        taken += 1
        return taken - 1
    }
}

/// The errors of lanes' items, by item.
final class LaneErrors: @unchecked Sendable {
    private var errors: [Error?]
    private let lock = NSLock()
    init(_ count: Int) { errors = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ e: Error) { lock.lock(); errors[i] = e; lock.unlock() }
    var first: Error? { lock.lock(); defer { lock.unlock() }; return errors.compactMap { $0 }.first }
}

/// Per-worker scratch buffers, reused across calls to avoid allocating large
/// im2col buffers in hot loops. The pointer exists only inside `with`'s body,
/// which holds the buffer (a strong reference) until it returns: a later,
/// larger request for the slot, or `release()`, replaces the cached buffer
/// but cannot free one in use. A slot already in use by an enclosing `with`
/// on the same worker gets a fresh buffer instead of the shared one.
enum Scratch {
    // Guarded by `lock`. Per worker, per slot: the cached buffer and whether a `with` holds it now.
    nonisolated(unsafe) static var buffers: [[(storage: Storage?, busy: Bool)]] = []
    static let lock = NSLock()

    /// `body(instead)` when `instead` is given (a kernel's shortcut that needs no scratch).
    static func with<R>(worker: Int, slot: Int, count: Int, instead: UnsafeMutablePointer<Float>?,
                        _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        if let instead { return try body(instead) }
        return try with(worker: worker, slot: slot, count: count, body)
    }

    static func with<R>(worker: Int, slot: Int, count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        lock.lock()
        while buffers.count <= worker { buffers.append([]) }
        while buffers[worker].count <= slot { buffers[worker].append((nil, false)) }
        let storage: Storage
        let shared = !buffers[worker][slot].busy
        if !shared {
            storage = Storage(uninitialized: count)   // a nested use of a busy slot
        } else if let s = buffers[worker][slot].storage, s.count >= count {
            storage = s
        } else {
            storage = Storage(uninitialized: count)
            buffers[worker][slot].storage = storage
        }
        if shared { buffers[worker][slot].busy = true }
        lock.unlock()
        defer {
            if shared {
                lock.lock()
                if worker < buffers.count, slot < buffers[worker].count { buffers[worker][slot].busy = false }
                lock.unlock()
            }
        }
        return try withExtendedLifetime(storage) { try body(storage.pointer) }
    }
}
