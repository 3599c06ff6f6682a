// Smoothing: the debiased exponential moving average used to show a noisy
// loss curve's trend next to the raw values (as TensorBoard's smoothing
// slider does). Non-finite values are skipped and stay non-finite.

public enum Smoothing {
    /// s_t = w·s_{t−1} + (1 − w)·x_t, divided by (1 − wᵗ) so early values are
    /// not pulled towards zero. `weight` in 0..<1; 0 returns the input.
    public static func exponentialMovingAverage(_ values: [Double], weight: Double) -> [Double] {
        precondition(weight >= 0 && weight < 1, "smoothing weight must be in 0..<1")
        var out: [Double] = []
        out.reserveCapacity(values.count)
        var acc = 0.0, debias = 1.0
        for v in values {
            guard v.isFinite else { out.append(v); continue }
            acc = weight * acc + (1 - weight) * v
            debias *= weight
            out.append(acc / (1 - debias))
        }
        return out
    }
}
