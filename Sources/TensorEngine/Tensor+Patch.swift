// Space-to-depth patching and its inverse (PyTorch's pixel_unshuffle and
// pixel_shuffle): [B, C, H, W] ↔ [B, C·p·p, H/p, W/p], where output channel
// c·p·p + dy·p + dx holds pixel (y·p + dy, x·p + dx) of input channel c.

func spaceToDepthKernel(_ x: Tensor, patch p: Int) -> Tensor {
    let b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3]
    let ho = h / p, wo = w / p
    let out = Tensor(uninitialized: [b, c * p * p, ho, wo])
    let px = x.data, po = out.data
    Parallel.forEach(b * c) { bc, _ in
        let src = px + bc * h * w, dst = po + bc * p * p * ho * wo
        for dy in 0..<p { for dx in 0..<p {
            let plane = dst + (dy * p + dx) * ho * wo
            for y in 0..<ho { for xx in 0..<wo { plane[y * wo + xx] = src[(y * p + dy) * w + xx * p + dx] } }
        } }
    }
    return out
}

func depthToSpaceKernel(_ x: Tensor, patch p: Int) -> Tensor {
    let b = x.shape[0], cp = x.shape[1], ho = x.shape[2], wo = x.shape[3]
    let c = cp / (p * p), h = ho * p, w = wo * p
    let out = Tensor(uninitialized: [b, c, h, w])
    let px = x.data, po = out.data
    Parallel.forEach(b * c) { bc, _ in
        let src = px + bc * p * p * ho * wo, dst = po + bc * h * w
        for dy in 0..<p { for dx in 0..<p {
            let plane = src + (dy * p + dx) * ho * wo
            for y in 0..<ho { for xx in 0..<wo { dst[(y * p + dy) * w + xx * p + dx] = plane[y * wo + xx] } }
        } }
    }
    return out
}

extension Tensor {
    /// [B, C, H, W] → [B, C·p·p, H/p, W/p].
    public func spaceToDepth(_ p: Int) throws -> Tensor {
        guard rank == 4, p >= 1, shape[2] % p == 0, shape[3] % p == 0 else {
            throw TensorError.invalidArgument(op: "space_to_depth", detail: "patch \(p) does not tile \(describeShape(shape)) (need [B, C, H, W] with H and W divisible by the patch)")
        }
        return record(spaceToDepthKernel(contiguous(), patch: p), .spaceToDepth(self, patch: p))
    }

    /// [B, C·p·p, H, W] → [B, C, H·p, W·p].
    public func depthToSpace(_ p: Int) throws -> Tensor {
        guard rank == 4, p >= 1, shape[1] % (p * p) == 0 else {
            throw TensorError.invalidArgument(op: "depth_to_space", detail: "patch \(p) does not divide the channels of \(describeShape(shape))")
        }
        return record(depthToSpaceKernel(contiguous(), patch: p), .depthToSpace(self, patch: p))
    }
}
