// Statistics: what `kymo runs compare` says about a handful of seeds — the
// sample mean, the sample standard deviation (n − 1), a 95 % Student-t
// interval, Welch's unequal-variance t-test between two groups, the paired
// t-test on per-seed differences, and Holm's step-down adjustment of several
// p-values. The t
// distribution's CDF is computed here from the regularized incomplete beta
// function (Lentz's continued fraction), accurate to about 1e-12 absolute;
// Tests/RecordsTests/Reference holds SciPy's values and the script that made
// them (and the paired and Holm values). Deliberately not: a statistics
// library (no non-parametric tests, no bootstrap).

import Foundation

public enum Statistics {
    // MARK: special functions

    /// I_x(a, b), the regularized incomplete beta function, for a, b > 0 and 0 ≤ x ≤ 1.
    public static func regularizedIncompleteBeta(_ a: Double, _ b: Double, _ x: Double) -> Double {
        precondition(a > 0 && b > 0, "incomplete beta needs a, b > 0")
        if x.isNaN { return .nan }
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        // ln of x^a (1−x)^b / B(a, b)
        let lnFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
        // The continued fraction converges fast for x < (a+1)/(a+b+2); use the symmetry otherwise.
        if x < (a + 1) / (a + b + 2) {
            return exp(lnFront) * betaContinuedFraction(a, b, x) / a
        }
        return 1 - exp(lnFront) * betaContinuedFraction(b, a, 1 - x) / b
    }

    /// The continued fraction of the incomplete beta function (modified Lentz).
    static func betaContinuedFraction(_ a: Double, _ b: Double, _ x: Double) -> Double {
        let tiny = 1e-300, eps = 1e-16
        let qab = a + b, qap = a + 1, qam = a - 1
        var c = 1.0
        var d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...100_000 {
            let m = Double(m), m2 = 2 * m
            // even step
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            // odd step
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < eps { break }
        }
        return h
    }

    /// P(T ≤ t) for Student's t with `df` > 0 degrees of freedom (df need not be an integer).
    public static func studentTCDF(_ t: Double, df: Double) -> Double {
        if t.isNaN || df.isNaN { return .nan }
        if t == .infinity { return 1 }
        if t == -.infinity { return 0 }
        // P(|T| > |t|) = I_{df/(df+t²)}(df/2, 1/2)
        let tail = 0.5 * twoSidedTail(t, df: df)
        return t > 0 ? 1 - tail : tail
    }

    /// P(|T| ≥ |t|), the two-sided p-value of a t statistic (no cancellation for large |t|).
    public static func twoSidedTail(_ t: Double, df: Double) -> Double {
        if t.isNaN || df.isNaN { return .nan }
        if t.isInfinite { return 0 }
        let x = df / (df + t * t)
        return regularizedIncompleteBeta(df / 2, 0.5, x)
    }

    /// The t with P(T ≤ t) = p (0 < p < 1): bisection on the CDF to the last bits.
    public static func studentTQuantile(_ p: Double, df: Double) -> Double {
        precondition(p > 0 && p < 1, "a quantile needs 0 < p < 1")
        if p == 0.5 { return 0 }
        if p < 0.5 { return -studentTQuantile(1 - p, df: df) }
        var lo = 0.0, hi = 1.0
        while studentTCDF(hi, df: df) < p { lo = hi; hi *= 2; if hi > 1e300 { return .infinity } }
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if mid == lo || mid == hi { break }
            if studentTCDF(mid, df: df) < p { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }

    // MARK: summaries

    /// Mean, sample standard deviation (n − 1) and a two-sided t-interval of one sample.
    public struct Summary: Equatable, Sendable {
        public var n: Int
        public var mean: Double
        /// nil for n < 2.
        public var sd: Double?
        public var min: Double
        public var max: Double
        /// The confidence interval of the mean (nil for n < 2).
        public var interval: (low: Double, high: Double)? {
            guard let sd, n >= 2 else { return nil }
            let half = Statistics.studentTQuantile(0.5 + level / 2, df: Double(n - 1)) * sd / Double(n).squareRoot()
            return (mean - half, mean + half)
        }
        public var level: Double

        public static func == (a: Summary, b: Summary) -> Bool {
            a.n == b.n && a.mean.bitPattern == b.mean.bitPattern && a.sd?.bitPattern == b.sd?.bitPattern && a.level == b.level
        }
    }

    /// The summary of `values` (at least one) with a `level` interval (default 95 %).
    public static func summary(_ values: [Double], level: Double = 0.95) -> Summary {
        precondition(!values.isEmpty, "a summary needs at least one value")
        let n = values.count
        let mean = values.reduce(0, +) / Double(n)
        var sd: Double?
        if n >= 2 {
            // Two passes: the squared deviations from the mean, then the correction term.
            let dev = values.map { $0 - mean }
            let ss = dev.reduce(0) { $0 + $1 * $1 }
            let corr = dev.reduce(0, +)
            sd = ((ss - corr * corr / Double(n)) / Double(n - 1)).squareRoot()
        }
        return Summary(n: n, mean: mean, sd: sd, min: values.min()!, max: values.max()!, level: level)
    }

    /// Welch's unequal-variance t-test of mean(a) − mean(b).
    public struct Welch: Sendable {
        public var difference: Double
        public var standardError: Double
        /// Welch–Satterthwaite degrees of freedom.
        public var df: Double
        public var t: Double
        /// Two-sided p-value.
        public var p: Double
        public var low: Double
        public var high: Double
        public var level: Double
    }

    /// Welch's test; nil when either group has fewer than 2 values.
    public static func welch(_ a: [Double], _ b: [Double], level: Double = 0.95) -> Welch? {
        let sa = summary(a, level: level), sb = summary(b, level: level)
        guard let sda = sa.sd, let sdb = sb.sd else { return nil }
        let va = sda * sda / Double(sa.n), vb = sdb * sdb / Double(sb.n)
        let diff = sa.mean - sb.mean
        let se = (va + vb).squareRoot()
        if se == 0 {
            // Both groups constant: the difference is exact.
            return Welch(difference: diff, standardError: 0, df: .infinity, t: diff == 0 ? 0 : (diff > 0 ? .infinity : -.infinity),
                         p: diff == 0 ? 1 : 0, low: diff, high: diff, level: level)
        }
        let df = (va + vb) * (va + vb) / (va * va / Double(sa.n - 1) + vb * vb / Double(sb.n - 1))
        let t = diff / se
        let q = studentTQuantile(0.5 + level / 2, df: df)
        return Welch(difference: diff, standardError: se, df: df, t: t, p: twoSidedTail(t, df: df),
                     low: diff - q * se, high: diff + q * se, level: level)
    }

    /// A t-test's result: Welch's (unpaired) or the paired test (same fields).
    public typealias TTest = Welch

    /// The paired t-test of mean(a − b) on the differences of matched values
    /// (a[i] with b[i]): t = mean(d) / (sd(d) / √n), n − 1 degrees of freedom,
    /// as SciPy's `ttest_rel`. nil for fewer than 2 pairs.
    public static func paired(_ a: [Double], _ b: [Double], level: Double = 0.95) -> TTest? {
        precondition(a.count == b.count, "a paired test needs as many values in each group")
        guard a.count >= 2 else { return nil }
        let d = zip(a, b).map { $0 - $1 }
        let s = summary(d, level: level)
        let n = Double(s.n), sd = s.sd ?? 0
        let se = sd / n.squareRoot()
        if se == 0 {
            return TTest(difference: s.mean, standardError: 0, df: n - 1, t: s.mean == 0 ? 0 : (s.mean > 0 ? .infinity : -.infinity),
                         p: s.mean == 0 ? 1 : 0, low: s.mean, high: s.mean, level: level)
        }
        let t = s.mean / se
        let q = studentTQuantile(0.5 + level / 2, df: n - 1)
        return TTest(difference: s.mean, standardError: se, df: n - 1, t: t, p: twoSidedTail(t, df: n - 1),
                     low: s.mean - q * se, high: s.mean + q * se, level: level)
    }

    /// Holm's step-down adjustment of m p-values (in their order): the i-th
    /// smallest becomes max over j ≤ i of min(1, (m − j + 1) · p_(j)), as
    /// statsmodels' `multipletests(method="holm")`.
    public static func holm(_ ps: [Double]) -> [Double] {
        let m = ps.count
        let order = ps.indices.sorted { ps[$0] < ps[$1] || (ps[$0] == ps[$1] && $0 < $1) }
        var out = ps
        var running = 0.0
        for (rank, i) in order.enumerated() {
            running = Swift.max(running, Swift.min(1, Double(m - rank) * ps[i]))
            out[i] = running
        }
        return out
    }
}
