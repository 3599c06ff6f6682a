// Ticks: where an axis puts its tick marks and what it writes under them.
// Linear axes step by 1, 2, 2.5 or 5 × 10ⁿ; log axes tick at decades (with
// 2× and 5× when fewer than two decades show). Tick values are exact decimals
// (an integer times a power of ten) so labels never show float noise such as
// 0.30000000000000004. Pure arithmetic: no drawing, no text measurement.

import Foundation

/// A tick step `mantissa × 10^exponent`; 2.5 × 10ⁿ is stored as 25 × 10ⁿ⁻¹.
public struct NiceStep: Equatable, Sendable {
    public let mantissa: Int
    public let exponent: Int
    public var value: Double { Decimal10.value(mantissa, exponent) }
}

/// One labelled tick mark.
public struct Tick: Equatable, Sendable {
    public var value: Double
    public var label: String
    public init(value: Double, label: String) { self.value = value; self.label = label }
}

/// The ticks of one axis and the range the axis spans.
public struct AxisTicks: Equatable, Sendable {
    public var lower: Double
    public var upper: Double
    public var major: [Tick]
    /// Unlabelled minor ticks (log axes).
    public var minor: [Double]
    /// A common factor taken out of the labels, e.g. "×10⁻³", drawn once at the axis end.
    public var multiplier: String?
}

/// How far an axis reaches beyond its data.
public enum RangeMode: Sendable, Equatable {
    /// Out to the next tick (linear) or the next 1-2-5 value (log).
    case loose
    /// Exactly the data range; ticks fall inside it.
    case tight
    /// Nice values close around the data (HuggingRange): ends on the tick
    /// step or a half or fifth of it, the data filling most of the axis; log axes at
    /// 1-2-5 values, or closer when those leave the data under half the axis.
    case hug
}

public enum TickGenerator {
    static let mantissas = [1, 2, 25, 5]

    /// The smallest nice step that puts at most `maxTicks` ticks on `lower...upper`.
    public static func niceStep(lower: Double, upper: Double, maxTicks: Int, mode: RangeMode,
                                integerOnly: Bool = false) -> NiceStep {
        let span = upper - lower
        let target = max(maxTicks, 2)
        let base = Int(floor(log10(span / Double(target)))) - 1
        for e in base...(base + 4) {
            for m in mantissas {
                let step = m == 25 ? NiceStep(mantissa: 25, exponent: e - 1) : NiceStep(mantissa: m, exponent: e)
                if integerOnly && step.exponent < 0 { continue }
                let (kLo, kHi) = range(lower, upper, step.value, mode)
                if kHi - kLo + 1 <= target { return step }
            }
        }
        return NiceStep(mantissa: 1, exponent: base + 5)
    }

    static func range(_ lo: Double, _ hi: Double, _ s: Double, _ mode: RangeMode) -> (Int, Int) {
        switch mode {
        case .loose, .hug: return (Int(floor(lo / s + 1e-9)), Int(ceil(hi / s - 1e-9)))
        case .tight: return (Int(ceil(lo / s - 1e-9)), Int(floor(hi / s + 1e-9)))
        }
    }

    /// Ticks for a linear axis over the data range `lower...upper`.
    public static func linear(lower: Double, upper: Double, maxTicks: Int, mode: RangeMode,
                              integerOnly: Bool = false) -> AxisTicks {
        var lo = lower, hi = upper
        if !(lo.isFinite && hi.isFinite) { lo = 0; hi = 1 }
        if hi < lo { swap(&lo, &hi) }
        if hi == lo {
            let d = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= d; hi += d
        }
        // A span too small to tick in exact decimals at this magnitude: widened to one that is not.
        if (hi - lo) < 1e-12 * max(abs(lo), abs(hi)) { let d = 1e-12 * max(abs(lo), abs(hi)); lo -= d; hi += d }
        var mode = mode
        if mode == .hug {
            if let t = HuggingRange.ticks(lower: lo, upper: hi, maxTicks: maxTicks, integerOnly: integerOnly) { return t }
            mode = .loose
        }
        let step = niceStep(lower: lo, upper: hi, maxTicks: maxTicks, mode: mode, integerOnly: integerOnly)
        let (kLo, kHi) = range(lo, hi, step.value, mode)
        let ns = kLo <= kHi ? Array(kLo...kHi).map { $0 * step.mantissa } : []
        let labels = TickLabels.linear(ns, exponent: step.exponent)
        let ticks = zip(ns, labels.labels).map { Tick(value: Decimal10.value($0, step.exponent), label: $1) }
        let axisLo = mode == .tight ? lo : Decimal10.value(kLo * step.mantissa, step.exponent)
        let axisHi = mode == .tight ? hi : Decimal10.value(kHi * step.mantissa, step.exponent)
        return AxisTicks(lower: axisLo, upper: axisHi, major: ticks, minor: [], multiplier: labels.multiplier)
    }

    /// Ticks for a log axis over the (positive) data range `lower...upper`.
    public static func log(lower: Double, upper: Double, maxTicks: Int, mode: RangeMode) -> AxisTicks {
        if mode == .hug { return hugLog(lower: lower, upper: upper, maxTicks: maxTicks) }
        var lo = lower, hi = upper
        if !(lo.isFinite && hi.isFinite && lo > 0 && hi > 0) { lo = 1; hi = 10 }
        if hi < lo { swap(&lo, &hi) }
        if hi == lo { lo /= 3.1622776601683795; hi *= 3.1622776601683795 }
        if mode == .loose {
            lo = oneTwoFive(below: lo)
            hi = oneTwoFive(above: hi)
        }
        let dLo = Int(ceil(log10(lo) - 1e-9)), dHi = Int(floor(log10(hi) + 1e-9))
        let decades = dHi - dLo + 1
        let inRange = { (v: Double) in v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9) }
        let eLo0 = Int(floor(log10(lo) + 1e-9)), eHi0 = Int(floor(log10(hi) + 1e-9))
        var oneTwoFiveCount = 0
        for d in eLo0...eHi0 { for m in [1, 2, 5] where inRange(Decimal10.value(m, d)) { oneTwoFiveCount += 1 } }
        if decades >= 2 && oneTwoFiveCount > max(maxTicks, 2) {
            let every = max(1, Int(ceil(Double(decades) / Double(max(maxTicks, 2)))))
            var major: [Tick] = []
            for d in dLo...dHi where d % every == 0 {
                major.append(Tick(value: Decimal10.value(1, d), label: TickLabels.powerOfTen(d)))
            }
            var minor: [Double] = []
            let eLo = Int(floor(log10(lo) + 1e-9)), eHi = Int(floor(log10(hi) + 1e-9))
            for d in eLo...eHi {
                if every == 1 {
                    for m in 2...9 { let v = Decimal10.value(m, d); if inRange(v) { minor.append(v) } }
                } else if d % every != 0 && d >= dLo && d <= dHi {
                    minor.append(Decimal10.value(1, d))
                }
            }
            return AxisTicks(lower: lo, upper: hi, major: major, minor: minor, multiplier: nil)
        }
        // Few decades: 1-2-5 ticks, labelled as plain decimals — or, when one
        // of them is too small or large for that, all of them as m×10ⁿ (one notation per axis).
        var major: [Tick] = [], minor: [Double] = []
        let eLo = Int(floor(log10(lo) + 1e-9)), eHi = Int(floor(log10(hi) + 1e-9))
        var plain = true
        for d in eLo...eHi where !(d > -4 && d < 5) {
            for m in [1, 2, 5] where inRange(Decimal10.value(m, d)) { plain = false }
        }
        for d in eLo...eHi {
            for m in 1...9 {
                let v = Decimal10.value(m, d)
                guard inRange(v) else { continue }
                if m == 1 || m == 2 || m == 5 {
                    let label = plain ? TickLabels.decimal(m, exponent: d)
                        : (m == 1 ? "" : "\(m)×") + TickLabels.powerOfTen(d)
                    major.append(Tick(value: v, label: label))
                } else {
                    minor.append(v)
                }
            }
        }
        if major.count >= 2 {
            return AxisTicks(lower: lo, upper: hi, major: major, minor: minor, multiplier: nil)
        }
        // Very narrow range: linear ticks, placed on the log scale.
        var t = linear(lower: lo, upper: hi, maxTicks: maxTicks, mode: .tight)
        t.lower = lo; t.upper = hi
        t.major = t.major.filter { $0.value > 0 }
        return t
    }

    /// A log axis close around the data: out to 1-2-5 values, or, when those
    /// leave the data under half the axis (in decades), the linear hugging
    /// range if it is positive and closer.
    static func hugLog(lower: Double, upper: Double, maxTicks: Int) -> AxisTicks {
        let t = log(lower: lower, upper: upper, maxTicks: maxTicks, mode: .loose)
        guard lower.isFinite, upper.isFinite, lower > 0, upper > lower else { return t }
        let share = { (a: Double, b: Double) in (log10(upper) - log10(lower)) / (log10(b) - log10(a)) }
        guard share(t.lower, t.upper) < 0.5,
              let c = HuggingRange.ticks(lower: lower, upper: upper, maxTicks: maxTicks, integerOnly: false),
              c.lower > 0, share(c.lower, c.upper) > share(t.lower, t.upper) else { return t }
        var u = log(lower: c.lower, upper: c.upper, maxTicks: maxTicks, mode: .tight)
        u.lower = c.lower; u.upper = c.upper
        return u
    }

    /// The largest 1, 2 or 5 × 10ⁿ at or below `v` (v > 0).
    static func oneTwoFive(below v: Double) -> Double {
        let e = Int(floor(log10(v) + 1e-12))
        for m in [5, 2, 1] { let c = Decimal10.value(m, e); if c <= v * (1 + 1e-12) { return c } }
        return Decimal10.value(5, e - 1)
    }

    /// The smallest 1, 2 or 5 × 10ⁿ at or above `v` (v > 0).
    static func oneTwoFive(above v: Double) -> Double {
        let e = Int(floor(log10(v) + 1e-12))
        for m in [1, 2, 5, 10] { let c = Decimal10.value(m, e); if c >= v * (1 - 1e-12) { return c } }
        return Decimal10.value(1, e + 1)
    }
}

/// Exact decimal values `n × 10^e` as Doubles (one rounding at most).
enum Decimal10 {
    static func pow10(_ k: Int) -> Double {
        var r = 1.0
        for _ in 0..<k { r *= 10 }
        return r
    }
    static func value(_ n: Int, _ e: Int) -> Double {
        e >= 0 ? Double(n) * pow10(e) : Double(n) / pow10(-e)
    }
}
