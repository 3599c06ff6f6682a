// Engine: the engine's one setting, its worker thread count. Results never
// depend on it (Parallel.swift's chunk rule); it is read atomically by every
// op, so configuring from one thread while another computes is safe.
import CKymoGEMM
import Foundation

public enum Engine {
    /// The worker thread count (≥ 1), read atomically by every op.
    public static var threads: Int {
        ensureConfigured()
        return Int(kymo_engine_threads())
    }

    /// Sets the worker thread count (≥ 1). Results never depend on it.
    /// Default: `KYMO_THREADS` from the environment, else the core count.
    public static func configure(threads requested: Int? = nil) {
        let env = ProcessInfo.processInfo.environment["KYMO_THREADS"].flatMap(Int.init)
        let n = requested ?? env ?? ProcessInfo.processInfo.activeProcessorCount
        // Keep large freed blocks in the heap instead of returning them to the
        // kernel, so the next step's tensors of the same sizes reuse pages
        // instead of faulting in fresh zeroed ones (no effect on results).
        _ = glibcMallopt(-3 /* M_MMAP_THRESHOLD */, 32 << 20)   // glibc's largest allowed value
        _ = glibcMallopt(-1 /* M_TRIM_THRESHOLD */, Int32.max)
        // One heap for every thread: a lane's tensors come from the pages the
        // other lanes and the last step freed. With glibc's per-thread arenas a
        // worker lane kept a heap of its own (+0.1 GiB peak RSS for a seq2seq
        // step on 2 threads) that glibc unmaps when its top is free whatever
        // the trim threshold, so a later step could fault it in again
        // (docs/engine.md, "Threads, lanes and when to use more cores").
        _ = glibcMallopt(-8 /* M_ARENA_MAX */, 1)
        kymo_set_engine_threads(Int32(max(1, min(n, 64))))
    }

    @inline(__always) static func ensureConfigured() {
        if kymo_engine_threads() == 0 { configure() }
    }
}

/// glibc's `mallopt` (malloc.h is not part of Swift's Glibc module).
@_silgen_name("mallopt") func glibcMallopt(_ param: Int32, _ value: Int32) -> Int32
