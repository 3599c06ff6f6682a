// PortableTrig: sine and cosine of an angle given in turns, computed with
// IEEE additions and multiplications only, so that every machine (any libm,
// any OS) gets the same bits. Used for Moving MNIST's random directions: the
// motion truncates positions to whole pixels, where a one-ulp difference from
// another libm could move a digit by a pixel on another machine.
// Deliberately not: a general-purpose fast or correctly rounded libm.
import TensorEngine


/// (sin 2πu, cos 2πu) for u in [0, 1), within a few ulp of the true values
/// (`PortableMath.sinCos(turns:)` in TensorEngine, the same code Box–Muller uses).
public func portableSinCos(turns u: Double) -> (sin: Double, cos: Double) {
    PortableMath.sinCos(turns: u)
}
