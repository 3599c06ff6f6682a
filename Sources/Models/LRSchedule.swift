// Learning-rate schedules, each computed as torch.optim.lr_scheduler computes
// it — in Double, with PyTorch's own recurrences where PyTorch uses them, so
// that the sequence agrees with PyTorch's to the last few bits. `plan(steps:)`
// evaluates the whole schedule once, before training: the learning rate (and,
// for OneCycle, Adam's β1 or SGD's momentum) of every step s = 0 ..< steps is a
// function of the options alone, so a resumed run recomputes it exactly.
//
//   constant  lr_s = lr
//   step      StepLR(step_size, gamma): lr_0 = lr; lr_s = lr_{s-1}·γ when s % step_size == 0, else lr_{s-1}
//             (= lr·γ^⌊s/step_size⌋)
//   cosine    SequentialLR(LinearLR(start_factor, 1, warmup), CosineAnnealingLR(t_max, eta_min), milestones [warmup])
//             warm-up (s < W): lr_0 = lr·f; lr_s = lr_{s-1}·(1 + (1−f) / (W·f + (s−1)(1−f)))   (= lr·(f + (1−f)·s/W))
//             at s = W: lr;  after (u = s − W):
//             lr_s = η_min + (1 + cos(π·u/T)) / (1 + cos(π·(u−1)/T)) · (lr_{s−1} − η_min)
//             (= η_min + (lr − η_min)·(1 + cos(π·u/T))/2), T = t_max (default steps − W)
//   onecycle  OneCycleLR(max_lr, total_steps, pct_start 0.3, anneal "cos", div_factor 25,
//             final_div_factor 1e4, three_phase false, cycle_momentum true, 0.85, 0.95):
//             initial = max_lr/div, min = initial/final_div; phase ends e1 = pct·N − 1, e2 = N − 1;
//             s ≤ e1: lr_s = A(initial, max_lr, s/e1),    β1_s = A(0.95, 0.85, s/e1)
//             else:   lr_s = A(max_lr, min, (s−e1)/(e2−e1)), β1_s = A(0.85, 0.95, (s−e1)/(e2−e1))
//             A(a, b, p) = b + (a − b)/2·(cos(π·p) + 1)  (cos),  (b − a)·p + a  (linear)
//             (PyTorch refuses to step past total_steps; here a shorter total_steps holds its last rate)
// Deliberately not: ReduceLROnPlateau or cyclic schedules, per-parameter-group rates.
import Foundation

public struct LRSchedule: Equatable, Sendable {
    public enum Kind: String, CaseIterable, Sendable { case constant, step, cosine, onecycle }

    public var kind: Kind
    // step
    public var stepSize: Int? = nil
    public var gamma: Double = 0.1
    // cosine
    public var warmup: Int = 0
    public var startFactor: Double = 1.0 / 3.0
    public var etaMin: Double = 0
    public var tMax: Int? = nil
    // onecycle
    public var maxLR: Double? = nil
    public var totalSteps: Int? = nil
    public var pctStart: Double = 0.3
    public var divFactor: Double = 25
    public var finalDivFactor: Double = 1e4
    public var threePhase: Bool = false
    public var annealCos: Bool = true
    public var cycleMomentum: Bool = true
    public var baseMomentum: Double = 0.85
    public var maxMomentum: Double = 0.95

    public init(kind: Kind) { self.kind = kind }

    public static let constant = LRSchedule(kind: .constant)

    /// The keys a schedule record may hold, per kind (besides `kind`).
    public static func keys(_ kind: Kind) -> [String] {
        switch kind {
        case .constant: return []
        case .step: return ["step_size", "gamma"]
        case .cosine: return ["warmup", "start_factor", "eta_min", "t_max"]
        case .onecycle: return ["max_lr", "total_steps", "pct_start", "div_factor", "final_div_factor", "three_phase",
                                "anneal", "cycle_momentum", "base_momentum", "max_momentum"]
        }
    }

    /// A schedule from the notebook's short string (`"cosine"`) or record
    /// fields (`kind` plus the keys of `keys(kind)`; numbers as Int or Double,
    /// flags as Bool, `anneal` as "cos" or "linear").
    public init(text: String) throws {
        guard let k = Kind(rawValue: text) else {
            throw LRSchedule.bad("unknown schedule \"\(text)\"; expected one of \(Kind.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))")
        }
        self.init(kind: k)
    }

    public init(fields: [(key: String, value: Any)]) throws {
        guard let kv = fields.first(where: { $0.key == "kind" })?.value else { throw LRSchedule.bad("a schedule record needs a 'kind' (\(Kind.allCases.map(\.rawValue).joined(separator: ", ")))") }
        guard let ks = kv as? String else { throw LRSchedule.bad("kind must be a string, got \(kv)") }
        try self.init(text: ks)
        let allowed = LRSchedule.keys(kind)
        for (key, value) in fields where key != "kind" {
            guard allowed.contains(key) else {
                throw LRSchedule.bad("unknown key '\(key)' for a \(kind.rawValue) schedule" + (allowed.isEmpty ? " (it takes none)" : "; it takes \(allowed.joined(separator: ", "))"))
            }
            func num() throws -> Double {
                if let d = value as? Double { return d }
                if let i = value as? Int { return Double(i) }
                throw LRSchedule.bad("\(key) must be a number, got \(value)")
            }
            func int() throws -> Int {
                if let i = value as? Int { return i }
                if let d = value as? Double, d == d.rounded(), abs(d) < 1e15 { return Int(d) }
                throw LRSchedule.bad("\(key) must be an integer, got \(value)")
            }
            func flag() throws -> Bool {
                guard let b = value as? Bool else { throw LRSchedule.bad("\(key) must be true or false, got \(value)") }
                return b
            }
            switch key {
            case "step_size": stepSize = try int()
            case "gamma": gamma = try num()
            case "warmup": warmup = try int()
            case "start_factor": startFactor = try num()
            case "eta_min": etaMin = try num()
            case "t_max": tMax = try int()
            case "max_lr": maxLR = try num()
            case "total_steps": totalSteps = try int()
            case "pct_start": pctStart = try num()
            case "div_factor": divFactor = try num()
            case "final_div_factor": finalDivFactor = try num()
            case "three_phase": threePhase = try flag()
            case "cycle_momentum": cycleMomentum = try flag()
            case "base_momentum": baseMomentum = try num()
            case "max_momentum": maxMomentum = try num()
            case "anneal":
                guard let s = value as? String, s == "cos" || s == "linear" else { throw LRSchedule.bad("anneal must be \"cos\" or \"linear\", got \(value)") }
                annealCos = s == "cos"
            default: break
            }
        }
    }

    static func bad(_ s: String) -> ModelError { .invalidOption(op: "train", detail: "schedule: " + s) }

    /// Canonical text of every field that decides the numbers (checkpoint key).
    public var text: String {
        func d(_ x: Double) -> String { "\(x)" }
        switch kind {
        case .constant: return "constant"
        case .step: return "step step_size=\(stepSize.map(String.init) ?? "auto") gamma=\(d(gamma))"
        case .cosine: return "cosine warmup=\(warmup) start_factor=\(d(startFactor)) eta_min=\(d(etaMin)) t_max=\(tMax.map(String.init) ?? "auto")"
        case .onecycle:
            return "onecycle max_lr=\(maxLR.map(d) ?? "lr") total_steps=\(totalSteps.map(String.init) ?? "auto") pct_start=\(d(pctStart)) "
                + "div_factor=\(d(divFactor)) final_div_factor=\(d(finalDivFactor)) three_phase=\(threePhase) anneal=\(annealCos ? "cos" : "linear") "
                + "cycle_momentum=\(cycleMomentum) base_momentum=\(d(baseMomentum)) max_momentum=\(d(maxMomentum))"
        }
    }

    /// The rates of steps 0 ..< steps and, for OneCycle with cycle_momentum, the
    /// momentum (Adam's β1, SGD's momentum) of each step. `lr` is train's lr
    /// (OneCycle's max_lr when the record gives none). Throws, naming the key,
    /// on values PyTorch would reject or a schedule longer than `steps`.
    public func plan(steps: Int, lr: Double) throws -> (lr: [Double], momentum: [Double]?) {
        func positive(_ x: Double, _ name: String) throws {
            guard x > 0, x.isFinite else { throw LRSchedule.bad("\(name) must be a positive number, got \(x)") }
        }
        switch kind {
        case .constant:
            return (Array(repeating: lr, count: steps), nil)
        case .step:
            let size = stepSize ?? max(1, steps / 3)
            guard size >= 1 else { throw LRSchedule.bad("step_size must be at least 1, got \(size)") }
            guard size <= steps else { throw LRSchedule.bad("step_size \(size) is longer than the \(steps) steps of training") }
            try positive(gamma, "gamma")
            var out: [Double] = []
            out.reserveCapacity(steps)
            var cur = lr
            for s in 0..<steps {
                if s > 0 && s % size == 0 { cur = cur * gamma }
                out.append(cur)
            }
            return (out, nil)
        case .cosine:
            guard warmup >= 0 else { throw LRSchedule.bad("warmup must be at least 0, got \(warmup)") }
            guard startFactor > 0, startFactor <= 1 else { throw LRSchedule.bad("start_factor must be in (0, 1], got \(startFactor)") }
            guard etaMin >= 0, etaMin.isFinite else { throw LRSchedule.bad("eta_min must be at least 0, got \(etaMin)") }
            guard etaMin <= lr else { throw LRSchedule.bad("eta_min \(etaMin) is above the learning rate \(lr)") }
            guard warmup < steps || steps == 0 else { throw LRSchedule.bad("warmup \(warmup) is not shorter than the \(steps) steps of training") }
            let t = tMax ?? (steps - warmup)
            guard t >= 1 else { throw LRSchedule.bad("t_max must be at least 1, got \(t)") }
            guard warmup + t <= steps else {
                throw LRSchedule.bad("warmup \(warmup) + t_max \(t) = \(warmup + t) steps is longer than the \(steps) steps of training")
            }
            var out: [Double] = []
            out.reserveCapacity(steps)
            var cur = lr
            let f = startFactor, endFactor = 1.0
            let tm = Double(t)
            for s in 0..<steps {
                if s < warmup {
                    // LinearLR's chainable form (torch.optim.lr_scheduler.LinearLR.get_lr)
                    if s == 0 { cur = lr * f }
                    else { cur = cur * (1.0 + (endFactor - f) / (Double(warmup) * f + Double(s - 1) * (endFactor - f))) }
                } else if s == warmup {
                    // SequentialLR calls CosineAnnealingLR.step(0): its closed form at epoch 0
                    cur = etaMin + (lr - etaMin) * (1 + Foundation.cos(Double.pi * 0 / tm)) / 2
                } else {
                    let u = Double(s - warmup)
                    if Int(u) - 1 - t >= 0 && (Int(u) - 1 - t) % (2 * t) == 0 {
                        cur = cur + (lr - etaMin) * (1 - Foundation.cos(Double.pi / tm)) / 2
                    } else {
                        cur = (1 + Foundation.cos(Double.pi * u / tm)) / (1 + Foundation.cos(Double.pi * (u - 1) / tm)) * (cur - etaMin) + etaMin
                    }
                }
                out.append(cur)
            }
            return (out, nil)
        case .onecycle:
            let maxLR = self.maxLR ?? lr
            try positive(maxLR, "max_lr")
            let n = totalSteps ?? steps
            guard n >= 1 else { throw LRSchedule.bad("total_steps must be at least 1, got \(n)") }
            guard n <= steps else { throw LRSchedule.bad("total_steps \(n) is longer than the \(steps) steps of training") }
            guard pctStart > 0, pctStart < 1 else { throw LRSchedule.bad("pct_start must be in (0, 1), got \(pctStart)") }
            try positive(divFactor, "div_factor")
            try positive(finalDivFactor, "final_div_factor")
            if cycleMomentum {
                guard baseMomentum >= 0, maxMomentum >= 0, baseMomentum < 1, maxMomentum < 1 else {
                    throw LRSchedule.bad("base_momentum and max_momentum must be in [0, 1), got \(baseMomentum) and \(maxMomentum)")
                }
            }
            let initial = maxLR / divFactor, minLR = initial / finalDivFactor
            // phases as OneCycleLR builds them: (end step, start lr, end lr, start momentum, end momentum)
            var phases: [(end: Double, lr0: Double, lr1: Double, m0: Double, m1: Double)]
            if threePhase {
                phases = [(Double(pctStart * Double(n)) - 1, initial, maxLR, maxMomentum, baseMomentum),
                          (Double(2 * pctStart * Double(n)) - 2, maxLR, initial, baseMomentum, maxMomentum),
                          (Double(n) - 1, initial, minLR, maxMomentum, maxMomentum)]
            } else {
                phases = [(Double(pctStart * Double(n)) - 1, initial, maxLR, maxMomentum, baseMomentum),
                          (Double(n) - 1, maxLR, minLR, baseMomentum, maxMomentum)]
            }
            var start = 0.0
            for p in phases {
                guard p.end > start else {
                    throw LRSchedule.bad("pct_start \(pctStart) leaves a phase of no steps with total_steps \(n) (PyTorch would divide by zero)")
                }
                start = p.end
            }
            func anneal(_ a: Double, _ b: Double, _ pct: Double) -> Double {
                annealCos ? b + (a - b) / 2.0 * (Foundation.cos(Double.pi * pct) + 1) : (b - a) * pct + a
            }
            var lrs: [Double] = [], ms: [Double] = []
            lrs.reserveCapacity(steps); ms.reserveCapacity(steps)
            for s in 0..<steps {
                let k = Double(min(s, n - 1))   // past total_steps (shorter than steps) the last rate holds
                var startStep = 0.0
                for (i, p) in phases.enumerated() {
                    if k <= p.end || i == phases.count - 1 {
                        let pct = (k - startStep) / (p.end - startStep)
                        lrs.append(anneal(p.lr0, p.lr1, pct))
                        ms.append(anneal(p.m0, p.m1, pct))
                        break
                    }
                    startStep = p.end
                }
            }
            return (lrs, cycleMomentum ? ms : nil)
        }
    }
}
