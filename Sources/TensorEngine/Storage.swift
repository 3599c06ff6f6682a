// Storage: one 64-byte-aligned Float32 buffer shared by a tensor and its views.
// Every buffer is counted against the process's MemoryBudget while it lives
// (the notebook layer checks the count; a kernel never fails for it).
// Deliberately not: copy-on-write, reference counted per element, or resizable.

import KymoBase

public final class Storage {
    /// Internal to the engine: other modules reach elements through Tensor's
    /// scoped accessors (`withContiguousData`, `withMutableData`).
    let pointer: UnsafeMutablePointer<Float>
    public let count: Int

    /// Uninitialized storage; callers must write every element they read.
    public init(uninitialized count: Int) {
        precondition(count >= 0, "negative storage size")
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        self.count = count
        MemoryBudget.process.allocated(bytes)
    }

    public convenience init(zeros count: Int) {
        self.init(uninitialized: count)
        pointer.initialize(repeating: 0, count: count)
    }

    public convenience init(repeating value: Float, count: Int) {
        self.init(uninitialized: count)
        pointer.initialize(repeating: value, count: count)
    }

    deinit {
        UnsafeMutableRawPointer(pointer).deallocate()
        MemoryBudget.process.released(max(count, 1) * MemoryLayout<Float>.stride)
    }

    var buffer: UnsafeMutableBufferPointer<Float> { .init(start: pointer, count: count) }
}
