// The transformed 3×3 weights of the last few Winograd convolutions, per lane.
// A recurrent cell runs its gate convolution with the same weights at every
// time step of every sample (forward, and flipped for the input gradient),
// and transforming them again each time (winogradWeights) cost about a tenth
// of a predictor step in `perf`. An entry is reused only when the raw weights
// are bit for bit those it was made from (memcmp of the whole weight tensor),
// so a reuse returns exactly the values a fresh transform would: the memo
// changes speed, never a bit. Entries are immutable once made; the lists are
// guarded by `lock`, so concurrent callers are safe. Memory: at most
// `perLane` entries (raw weights + transform) per lane.
import Foundation
import CKymoGEMM

enum WinogradWeightMemo {
    final class Entry {
        let cout: Int, cin: Int, flipped: Bool
        let raw: Storage, v: Storage
        init(cout: Int, cin: Int, flipped: Bool, raw: Storage, v: Storage) {
            self.cout = cout; self.cin = cin; self.flipped = flipped; self.raw = raw; self.v = v
        }
    }

    // Guarded by `lock`. Per lane (kymo_lane(); −1 outside lanes): most recently used first.
    nonisolated(unsafe) static var entries: [Int: [Entry]] = [:]
    static let lock = NSLock()
    static let perLane = 6

    /// `winogradWeights(w, cout:, cin:, flipped:)`, from the memo when the same weights were transformed before.
    static func weights(_ w: UnsafePointer<Float>, cout: Int, cin: Int, flipped: Bool) -> Storage {
        let n = cout * cin * 9, lane = Int(kymo_lane())
        lock.lock()
        let list = entries[lane] ?? []
        lock.unlock()
        for (i, e) in list.enumerated() where e.cout == cout && e.cin == cin && e.flipped == flipped
            && memcmp(e.raw.pointer, w, n * MemoryLayout<Float>.stride) == 0 {
            if i > 0 { remember(e, lane: lane) }
            return e.v
        }
        let v = winogradWeights(w, cout: cout, cin: cin, flipped: flipped)
        let raw = Storage(uninitialized: n)
        raw.pointer.update(from: w, count: n)
        remember(Entry(cout: cout, cin: cin, flipped: flipped, raw: raw, v: v), lane: lane)
        return v
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
