// Shape ops: reshape, permute/transpose, slice, concat, split/chunk. Reshape of
// contiguous data, permute and slice are views (shared storage); concat and
// reshape of strided data materialize. Each records its op; backward lives here.

extension Tensor {
    func normalizeAxis(_ axis: Int, op: String, rank r: Int? = nil) throws -> Int {
        let r = r ?? rank
        let a = axis < 0 ? axis + r : axis
        guard a >= 0 && a < r else { throw TensorError.badAxis(op: op, axis: axis, rank: r) }
        return a
    }

    /// Same data, new shape (one dimension may be -1). A view when contiguous.
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        var shape = newShape
        let unknown = shape.indices.filter { shape[$0] == -1 }
        guard unknown.count <= 1, shape.allSatisfy({ $0 >= -1 }) else {
            throw TensorError.invalidArgument(op: "reshape", detail: "bad target shape \(describeShape(newShape))")
        }
        if let u = unknown.first {
            let known = shape.enumerated().filter { $0.offset != u }.map(\.element).reduce(1, *)
            guard known > 0, count % known == 0 else {
                throw TensorError.shapeMismatch(op: "reshape", shapes: [self.shape, newShape], detail: "\(count) elements do not divide")
            }
            shape[u] = count / known
        }
        guard shape.reduce(1, *) == count else {
            throw TensorError.shapeMismatch(op: "reshape", shapes: [self.shape, newShape], detail: "\(count) elements cannot be viewed as \(shape.reduce(1, *))")
        }
        let src = contiguous()
        defer { withExtendedLifetime(src) {} }   // the copies outlive every pointer taken from them
        let out = Tensor(storage: src.storage, shape: shape, offset: src.offset)
        return record(out, .reshape(src))
    }

    /// A non-recording reshape of contiguous data (used inside backward).
    func reshapedView(_ newShape: [Int]) -> Tensor {
        let c = isContiguous ? self : detached()
        return Tensor(storage: c.storage, shape: newShape, offset: c.offset)
    }

    /// Reorders axes: output axis i is input axis perm[i]. A view.
    public func permuted(_ perm: [Int]) throws -> Tensor {
        guard perm.count == rank, Set(perm) == Set(0..<rank) else {
            throw TensorError.invalidArgument(op: "permute", detail: "\(perm) is not a permutation of the \(rank) axes of \(describeShape(shape))")
        }
        return record(permutedView(perm), .permute(self, perm))
    }

    func permutedView(_ perm: [Int]) -> Tensor {
        Tensor(storage: storage, shape: perm.map { shape[$0] }, strides: perm.map { strides[$0] }, offset: offset)
    }

    /// Swaps two axes. A view.
    public func transposed(_ a: Int, _ b: Int) throws -> Tensor {
        let a = try normalizeAxis(a, op: "transpose"), b = try normalizeAxis(b, op: "transpose")
        var perm = Array(0..<rank)
        perm.swapAt(a, b)
        return try permuted(perm)
    }

    /// Elements `start ..< start+length` along `axis`. A view.
    public func slice(axis: Int, start: Int, length: Int) throws -> Tensor {
        let a = try normalizeAxis(axis, op: "slice")
        guard start >= 0, length >= 0, start + length <= shape[a] else {
            throw TensorError.invalidArgument(op: "slice", detail: "range \(start)..<\(start + length) outside axis \(a) of size \(shape[a]) in \(describeShape(shape))")
        }
        var s = shape
        s[a] = length
        let out = Tensor(storage: storage, shape: s, strides: strides, offset: offset + start * strides[a])
        return record(out, .slice(self, axis: a, start: start))
    }

    /// Element `index` along `axis`, with that axis removed. A view.
    public func select(axis: Int, index: Int) throws -> Tensor {
        let a = try normalizeAxis(axis, op: "select")
        var s = shape
        s.remove(at: a)
        return try slice(axis: a, start: index, length: 1).reshaped(s)
    }

    /// `parts` equal pieces along `axis`.
    public func chunked(_ parts: Int, axis: Int) throws -> [Tensor] {
        let a = try normalizeAxis(axis, op: "chunk")
        guard parts > 0, shape[a] % parts == 0 else {
            throw TensorError.invalidArgument(op: "chunk", detail: "axis \(a) of \(describeShape(shape)) does not split into \(parts) equal parts")
        }
        let n = shape[a] / parts
        return try (0..<parts).map { try slice(axis: a, start: $0 * n, length: n) }
    }

    /// Pieces of the given sizes along `axis`.
    public func split(sizes: [Int], axis: Int) throws -> [Tensor] {
        let a = try normalizeAxis(axis, op: "split")
        guard sizes.reduce(0, +) == shape[a], sizes.allSatisfy({ $0 >= 0 }) else {
            throw TensorError.invalidArgument(op: "split", detail: "sizes \(sizes) do not add up to axis \(a) of \(describeShape(shape))")
        }
        var start = 0
        return try sizes.map { n in defer { start += n }; return try slice(axis: a, start: start, length: n) }
    }

    /// Joins tensors along `axis`; all other dimensions must agree.
    public static func concat(_ xs: [Tensor], axis: Int) throws -> Tensor {
        guard let first = xs.first else { throw TensorError.invalidArgument(op: "concat", detail: "no tensors to concatenate") }
        let a = try first.normalizeAxis(axis, op: "concat")
        for x in xs where x.rank != first.rank || (0..<first.rank).contains(where: { $0 != a && x.shape[$0] != first.shape[$0] }) {
            throw TensorError.shapeMismatch(op: "concat", shapes: [first.shape, x.shape], detail: "all dimensions but axis \(a) must agree")
        }
        var s = first.shape
        s[a] = xs.reduce(0) { $0 + $1.shape[a] }
        let out = Tensor(uninitialized: s)
        let outer = s[..<a].reduce(1, *)
        let inner = s[(a + 1)...].reduce(1, *)
        let rowOut = s[a] * inner
        var col = 0
        for x in xs {
            let xc = x.contiguous()
            defer { withExtendedLifetime(xc) {} }   // the copies outlive every pointer taken from them
            let row = x.shape[a] * inner
            let src = xc.data, dst = out.data + col
            Parallel.forChunks(count: outer, grain: max(1, elementwiseGrain / max(row, 1))) { lo, hi, _ in
                for o in lo..<hi { (dst + o * rowOut).update(from: src + o * row, count: row) }
            }
            col += row
        }
        return first.record(out, .concat(xs, axis: a))
    }
}

func sliceBackward(grad g: Tensor, inputShape: [Int], axis: Int, start: Int) -> Tensor {
    let out = Tensor(zeros: inputShape)
    let gc = g.contiguous()
    defer { withExtendedLifetime(gc) {} }   // the copies outlive every pointer taken from them
    let outer = inputShape[..<axis].reduce(1, *)
    let inner = inputShape[(axis + 1)...].reduce(1, *)
    let rowIn = inputShape[axis] * inner, rowG = g.shape[axis] * inner
    Parallel.forChunks(count: outer, grain: max(1, elementwiseGrain / max(rowG, 1))) { lo, hi, _ in
        for o in lo..<hi { (out.data + o * rowIn + start * inner).update(from: gc.data + o * rowG, count: rowG) }
    }
    return out
}

func concatBackward(grad g: Tensor, inputs: [Tensor], axis: Int) -> [Tensor?] {
    var start = 0
    let gc = g.contiguous()
    defer { withExtendedLifetime(gc) {} }   // the copies outlive every pointer taken from them
    return inputs.map { x in
        defer { start += x.shape[axis] }
        guard x.requiresGrad else { return nil }
        let v = Tensor(storage: gc.storage, shape: x.shape, strides: gc.strides, offset: gc.offset + start * gc.strides[axis])
        return v.contiguous()
    }
}
