// Tensor: a dense, row-major Float32 array with shape and strides over a shared
// Storage, plus the autodiff bookkeeping (the op that made it, its gradient).
//
// Legend used in every kernel file: B batch, T time, C channels, H height,
// W width, N = H·W pixels, K reduction length, M/N GEMM rows/columns.
//
// Views (reshape of contiguous data, permute/transpose, slice) share storage;
// kernels call `contiguous()` and then work on flat buffers.
// Deliberately not: other dtypes, devices, lazy evaluation, in-place ops on
// tensors that take part in a recorded graph.

public final class Tensor {
    public let shape: [Int]
    public let strides: [Int]
    public let offset: Int
    public let storage: Storage
    /// True for leaves that want a gradient and for results computed from them
    /// while gradients are being recorded.
    public internal(set) var requiresGrad: Bool
    /// The recorded operation that produced this tensor (nil for leaves and
    /// for results computed under `withNoGrad`).
    var op: Op?
    /// The accumulated gradient of a leaf after `backward()`.
    public var grad: Tensor?
    /// Optional name (parameters carry their state_dict name).
    public var name: String?

    public init(storage: Storage, shape: [Int], strides: [Int]? = nil, offset: Int = 0, requiresGrad: Bool = false) {
        self.storage = storage
        self.shape = shape
        self.strides = strides ?? Tensor.contiguousStrides(shape)
        self.offset = offset
        self.requiresGrad = requiresGrad
    }

    /// A fresh contiguous tensor with uninitialized contents.
    public convenience init(uninitialized shape: [Int]) {
        self.init(storage: Storage(uninitialized: shape.reduce(1, *)), shape: shape)
    }

    public convenience init(zeros shape: [Int], requiresGrad: Bool = false) {
        self.init(storage: Storage(zeros: shape.reduce(1, *)), shape: shape, requiresGrad: requiresGrad)
    }

    public convenience init(repeating value: Float, shape: [Int]) {
        self.init(storage: Storage(repeating: value, count: shape.reduce(1, *)), shape: shape)
    }

    /// A tensor holding `values` (row-major) with the given shape.
    public convenience init(_ values: [Float], shape: [Int], requiresGrad: Bool = false) throws {
        let n = shape.reduce(1, *)
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw TensorError.invalidArgument(op: "tensor", detail: "negative dimension in shape \(describeShape(shape))")
        }
        guard n == values.count else {
            throw TensorError.shapeMismatch(op: "tensor", shapes: [[values.count], shape],
                                            detail: "\(values.count) values cannot fill shape \(describeShape(shape))")
        }
        self.init(uninitialized: shape)
        values.withUnsafeBufferPointer { src in
            storage.pointer.update(from: src.baseAddress!, count: n)
        }
        self.requiresGrad = requiresGrad
    }

    /// A scalar (rank-0) tensor.
    public convenience init(scalar: Float) {
        self.init(repeating: scalar, shape: [])
    }

    public static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i] = acc
            acc *= shape[i]
        }
        return strides
    }

    public var rank: Int { shape.count }
    public var count: Int { shape.reduce(1, *) }

    public var isContiguous: Bool {
        var expected = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) where shape[i] != 1 {
            if strides[i] != expected { return false }
            expected *= shape[i]
        }
        return true
    }

    /// Pointer to element 0 of a contiguous tensor. Internal to the engine:
    /// a kernel keeps the tensor it came from alive (`withExtendedLifetime`)
    /// while it uses the pointer, and takes it once, outside its loops (the
    /// contiguity check costs per call). Other modules use the scoped
    /// accessors below, which cannot let a pointer outlive its storage.
    var data: UnsafeMutablePointer<Float> {
        precondition(isContiguous, "data of a non-contiguous tensor; call contiguous() first")
        return storage.pointer + offset
    }

    var buffer: UnsafeMutableBufferPointer<Float> { .init(start: data, count: count) }

    /// Calls `body` with the elements of this contiguous tensor (row-major),
    /// to read and write them in place. The pointer is valid only inside
    /// `body`: the tensor, and so its storage, is kept alive until `body`
    /// returns. Calling it on a non-contiguous view is a programming error
    /// (make the tensor with `contiguous()` or `detached()` first).
    public func withMutableData<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(buffer) }
    }

    /// Calls `body` with the values in row-major order. The pointer is valid
    /// only inside `body`: the storage (or the contiguous copy made for a
    /// view) is kept alive until `body` returns, so no pointer can outlive
    /// what it points into. Prefer it to `data` whenever a copy may be made.
    public func withContiguousData<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        let c = contiguous()
        return try withExtendedLifetime(c) {
            try body(UnsafeBufferPointer(start: c.storage.pointer + c.offset, count: c.count))
        }
    }

    /// The values in row-major order.
    public func toArray() -> [Float] {
        withContiguousData { Array($0) }
    }

    /// The single value of a one-element tensor.
    public func item() throws -> Float {
        guard count == 1 else {
            throw TensorError.invalidArgument(op: "item", detail: "tensor of shape \(describeShape(shape)) has \(count) elements, not 1")
        }
        return storage.pointer[offset]
    }

    /// Element at a multi-index (slow; for tests and printing).
    public subscript(index: Int...) -> Float {
        precondition(index.count == rank, "index rank \(index.count) for tensor of rank \(rank)")
        var o = offset
        for (i, s) in zip(index, strides) { o += i * s }
        return storage.pointer[o]
    }

    /// Marks a leaf as wanting a gradient (parameters, inputs of gradient checks).
    @discardableResult
    public func requiringGrad(_ flag: Bool = true) -> Tensor {
        precondition(op == nil, "requiringGrad on a non-leaf tensor")
        requiresGrad = flag
        return self
    }

    /// A new leaf sharing no storage and no graph with this tensor.
    public func detached() -> Tensor {
        let c = Tensor(uninitialized: shape)
        copyStrided(from: self, to: c.data)
        return c
    }

    /// This tensor, or a contiguous copy of it. The copy is recorded.
    public func contiguous() -> Tensor {
        if isContiguous { return self }
        let out = Tensor(uninitialized: shape)
        copyStrided(from: self, to: out.data)
        return record(out, .copy(self))
    }

    /// Copies a leaf's values in place from `source` (same shape); used by
    /// optimizers, weight loading and checkpoints, never on graph tensors.
    public func assign(_ source: Tensor) throws {
        guard source.shape == shape else {
            throw TensorError.shapeMismatch(op: "assign", shapes: [shape, source.shape], detail: "")
        }
        precondition(isContiguous && op == nil, "assign into a view or a graph tensor")
        copyStrided(from: source, to: data)
    }
}

/// Copies any (strided) tensor into a contiguous destination, row-major.
func copyStrided(from t: Tensor, to dst: UnsafeMutablePointer<Float>) {
    let n = t.count
    if n == 0 { return }
    let src = t.storage.pointer + t.offset
    if t.isContiguous {
        Parallel.forChunks(count: n, grain: elementwiseGrain) { lo, hi, _ in
            (dst + lo).update(from: src + lo, count: hi - lo)
        }
        return
    }
    let rank = t.rank
    let shape = t.shape, strides = t.strides
    let inner = shape[rank - 1], innerStride = strides[rank - 1]
    var index = [Int](repeating: 0, count: max(rank - 1, 0))
    var o = 0
    var d = dst
    let outer = n / inner
    for _ in 0..<outer {
        if innerStride == 1 {
            d.update(from: src + o, count: inner)
        } else {
            var p = o
            for j in 0..<inner { d[j] = src[p]; p += innerStride }
        }
        d += inner
        // advance the outer multi-index
        var axis = rank - 2
        while axis >= 0 {
            index[axis] += 1
            o += strides[axis]
            if index[axis] < shape[axis] { break }
            o -= strides[axis] * shape[axis]
            index[axis] = 0
            axis -= 1
        }
    }
}
