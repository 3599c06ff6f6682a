// HuggingRange: the range an automatic axis spans — nice values close around
// the data, so a loss at 0.025–0.06 gets 0.02–0.06, not 0–0.1, and an SSIM at
// 0–0.4 gets 0–0.4, not −1…1. Ends fall on the tick step or on a half or a
// fifth of it (0.015–0.045 with ticks 0.02, 0.03, 0.04; 0.02–0.075 with ticks
// 0.025, 0.05, 0.075); zero is in the range only when
// the data come near it. Pure arithmetic, exact decimals (Decimal10).

import Foundation

enum HuggingRange {
    /// One way to span the data: ticks every `step`, ends on multiples of `granule`.
    struct Candidate {
        var step: NiceStep
        var granule: NiceStep
        /// The ends as multiples of the granule, the ticks as multiples of the step.
        var kLo: Int, kHi: Int, tLo: Int, tHi: Int
        var coverage: Double
        var tickCount: Int { tHi - tLo + 1 }
        var aligned: Bool { step == granule }
    }

    /// Half a nice step, when that is a nice value too (1 → 0.5, 2 → 1, 5 → 2.5).
    static func half(_ s: NiceStep) -> NiceStep? {
        switch s.mantissa {
        case 1: return NiceStep(mantissa: 5, exponent: s.exponent - 1)
        case 2: return NiceStep(mantissa: 1, exponent: s.exponent)
        case 5: return NiceStep(mantissa: 25, exponent: s.exponent - 1)
        default: return nil
        }
    }

    /// A fifth of a nice step, when that is a nice value too (1 → 0.2, 2.5 → 0.5, 5 → 1).
    static func fifth(_ s: NiceStep) -> NiceStep? {
        switch s.mantissa {
        case 1: return NiceStep(mantissa: 2, exponent: s.exponent - 1)
        case 25: return NiceStep(mantissa: 5, exponent: s.exponent)
        case 5: return NiceStep(mantissa: 1, exponent: s.exponent)
        default: return nil
        }
    }

    /// The candidate for `step` with ends on `granule`; nil when a multiple would not fit an Int exactly.
    static func candidate(_ lo: Double, _ hi: Double, step: NiceStep, granule: NiceStep) -> Candidate? {
        let g = granule.value, s = step.value
        let limit = 4.0e15
        guard abs(lo / g) < limit, abs(hi / g) < limit else { return nil }
        let kLo = Int(floor(lo / g + 1e-9)), kHi = Int(ceil(hi / g - 1e-9))
        let aLo = Decimal10.value(kLo * granule.mantissa, granule.exponent)
        let aHi = Decimal10.value(kHi * granule.mantissa, granule.exponent)
        guard aHi > aLo else { return nil }
        let tLo = Int(ceil(aLo / s - 1e-9)), tHi = Int(floor(aHi / s + 1e-9))
        return Candidate(step: step, granule: granule, kLo: kLo, kHi: kHi, tLo: tLo, tHi: tHi,
                         coverage: (hi - lo) / (aHi - aLo))
    }

    /// The range and ticks for data `lower < upper` with at most `maxTicks` ticks
    /// (at least two): the tick-aligned range with three or more ticks when it
    /// leaves the data at least 75 % of the axis; else the range (ends on the
    /// step or a half or fifth of it) whose data share is largest, three ticks preferred.
    /// Nil when no nice step fits (the caller widens to the next ticks).
    static func choose(lower lo: Double, upper hi: Double, maxTicks: Int, integerOnly: Bool) -> Candidate? {
        let span = hi - lo
        guard span > 0, span.isFinite else { return nil }
        let target = max(maxTicks, 2)
        let base = Int(floor(log10(span / Double(target)))) - 1
        var all: [Candidate] = []
        for e in base...(base + 5) {
            for m in TickGenerator.mantissas {
                let step = m == 25 ? NiceStep(mantissa: 25, exponent: e - 1) : NiceStep(mantissa: m, exponent: e)
                if integerOnly && step.exponent < 0 { continue }
                for granule in [step, half(step), fifth(step)].compactMap({ $0 }) {
                    if integerOnly && granule.exponent < 0 { continue }
                    guard let c = candidate(lo, hi, step: step, granule: granule),
                          c.tickCount >= 2, c.tickCount <= target else { continue }
                    all.append(c)
                }
            }
        }
        func best(_ cs: [Candidate]) -> Candidate? {
            var b: Candidate?
            for c in cs where b == nil || c.coverage > b!.coverage + 1e-12 { b = c }
            return b
        }
        let three = min(3, target)
        if let a = best(all.filter { $0.aligned && $0.tickCount >= three && $0.coverage >= 0.75 }) { return a }
        if let a = best(all.filter { $0.tickCount >= three && $0.coverage >= 0.5 }) { return a }
        return best(all)
    }

    /// `choose`'s range as axis ticks (nil when there is none).
    static func ticks(lower: Double, upper: Double, maxTicks: Int, integerOnly: Bool) -> AxisTicks? {
        guard let c = choose(lower: lower, upper: upper, maxTicks: maxTicks, integerOnly: integerOnly) else { return nil }
        let ns = Array(c.tLo...c.tHi).map { $0 * c.step.mantissa }
        let labels = TickLabels.linear(ns, exponent: c.step.exponent)
        let ticks = zip(ns, labels.labels).map { Tick(value: Decimal10.value($0, c.step.exponent), label: $1) }
        return AxisTicks(lower: Decimal10.value(c.kLo * c.granule.mantissa, c.granule.exponent),
                         upper: Decimal10.value(c.kHi * c.granule.mantissa, c.granule.exponent),
                         major: ticks, minor: [], multiplier: labels.multiplier)
    }
}
