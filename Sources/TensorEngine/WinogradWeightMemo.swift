// The transformed 3×3 weights of the last few Winograd convolutions, per lane.
// A recurrent cell runs its gate convolution with the same weights at every
// time step of every sample (forward, and flipped for the input gradient),
// and transforming them again each time (winogradWeights) cost about a tenth
// of a predictor step in `perf`. An entry is reused only when the raw weights
// are bit for bit those it was made from (memcmp of the whole weight tensor),
// so a reuse returns exactly the values a fresh transform would: the memo
// changes speed, never a bit. Entries are immutable once made; the lists are
// guarded by `lock`, so concurrent callers are safe. Memory: at most
// `perLane` entries (raw weights + transform + its packed copy) per lane. An
// entry also holds the transform packed for the GEMM path in use
// (WinogradKernels), and is reused only on that path.
import Foundation
import CKymoGEMM

enum WinogradWeightMemo {
    final class Entry {
        let cout: Int, cin: Int, flipped: Bool
        let raw: Storage, kernels: WinogradKernels
        init(cout: Int, cin: Int, flipped: Bool, raw: Storage, kernels: WinogradKernels) {
            self.cout = cout; self.cin = cin; self.flipped = flipped; self.raw = raw; self.kernels = kernels
        }
    }

    // Guarded by `lock`. Per lane (kymo_lane(); −1 outside lanes): most recently used first.
    nonisolated(unsafe) static var entries: [Int: [Entry]] = [:]
    static let lock = NSLock()
    static let perLane = 6

    /// `winogradWeights(w, cout:, cin:, flipped:)`, from the memo when the same weights were transformed before.
    static func weights(_ w: UnsafePointer<Float>, cout: Int, cin: Int, flipped: Bool) -> WinogradKernels {
        let n = cout * cin * 9, lane = Int(kymo_lane()), path = kymo_gemm_path()
        lock.lock()
        let list = entries[lane] ?? []
        lock.unlock()
        for (i, e) in list.enumerated() where e.cout == cout && e.cin == cin && e.flipped == flipped
            && e.kernels.path == path && memcmp(e.raw.pointer, w, n * MemoryLayout<Float>.stride) == 0 {
            if i > 0 { remember(e, lane: lane) }
            return e.kernels
        }
        let v = winogradWeights(w, cout: cout, cin: cin, flipped: flipped)
        let kernels = WinogradKernels(v: v, rows: flipped ? cin : cout, cols: flipped ? cout : cin)
        let raw = Storage(uninitialized: n)
        raw.pointer.update(from: w, count: n)
        remember(Entry(cout: cout, cin: cin, flipped: flipped, raw: raw, kernels: kernels), lane: lane)
        return kernels
    }

    static func remember(_ e: Entry, lane: Int) {
        lock.lock()
        var list = (entries[lane] ?? []).filter { $0 !== e }
        list.insert(e, at: 0)
        if list.count > perLane { list.removeLast(list.count - perLane) }
        entries[lane] = list
        lock.unlock()
    }
}
