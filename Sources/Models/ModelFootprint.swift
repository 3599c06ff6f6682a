// ModelFootprint: what a model of a config will hold, computed from the
// config alone (before any weight exists), so the notebook can refuse a model
// or a training call that would not fit its memory budget instead of failing
// to allocate. The parameter count is exact (ModelFootprintTests compares it
// with built models); a step's activations are an estimate: per sample, per
// recurrent step and layer, the gate convolution's input and its 4·hidden
// outputs before and after the nonlinearities, the cell and hidden states
// and, for SA/SAM, their attention projections, at grid×grid. All sizes
// are nil when they overflow an Int.

import Foundation

public struct ModelFootprint: Sendable {
    public let config: ModelConfig

    /// Exactly `Model(config:).parameterCount`.
    public var parameters: Int? {
        let c = config, cells = c.gridPositions, k2 = c.kernel * c.kernel
        func conv(_ cin: Int, _ cout: Int, _ kk: Int = 1) -> Int? { mul(cin, cout, kk).flatMap { add($0, cout) } }
        func layer(_ cin: Int) -> Int? {
            var layer = add(conv(cin + c.hidden, 4 * c.hidden, k2), mul(3, c.hidden, cells))
            let h = c.hidden, d = c.attentionHidden
            switch c.family {
            case .convlstm: break
            case .saConvlstm:
                for ch in [cin, h] {   // attention on the input and on the hidden state
                    layer = add(layer, sum([conv(ch, d), conv(ch, d), conv(ch, ch), conv(ch, ch)]))
                }
            case .samConvlstm:
                layer = add(layer, sum([conv(h, d), conv(h, d), conv(h, h), conv(h, h), conv(h, d), conv(h, h), conv(h, h),
                                        conv(2 * h, 2 * h), conv(3 * h, 3 * h)]))
            }
            if c.mode == .seq2seq { layer = add(layer, mul(2, c.hidden, c.framesIn * cells)) }
            return layer
        }
        // The first layer reads the frames; the other layers - 1 read the hidden state below.
        var total = add(layer(c.inputChannels), layer(c.hidden).flatMap { l in mul(l, max(0, c.layers - 1)) })
        switch c.mode {
        case .predictor: total = add(total, conv(c.hidden, c.inputChannels))
        case .seq2seq: total = add(total, conv(c.hidden, c.channels, 27))
        }
        return total
    }

    public var parameterBytes: Int? { parameters.flatMap { mul($0, 4) } }

    /// Estimated bytes of the activations one training step keeps for its
    /// backward pass, for `batch` sequences.
    public func activationBytes(batch: Int) -> Int? {
        let c = config, cells = c.gridPositions
        let steps = c.mode == .predictor ? c.framesIn + c.framesOut - 1 : c.framesIn + c.framesOut
        var perLayer = c.inputChannels + c.hidden + 12 * c.hidden   // gate conv input, gates, states
        switch c.family {
        case .convlstm: break
        case .saConvlstm: perLayer += 2 * (2 * c.attentionHidden + 3 * c.hidden)
        case .samConvlstm: perLayer += 3 * c.attentionHidden + 12 * c.hidden
        }
        return mul(perLayer, cells, steps).flatMap { mul($0, max(1, c.layers), max(1, batch)) }.flatMap { mul($0, 4) }
    }

    private func mul(_ xs: Int...) -> Int? {
        var p = 1
        for x in xs {
            guard x >= 0 else { return nil }
            let (r, o) = p.multipliedReportingOverflow(by: x)
            if o { return nil }
            p = r
        }
        return p
    }

    private func add(_ a: Int?, _ b: Int?) -> Int? {
        guard let a, let b else { return nil }
        let (r, o) = a.addingReportingOverflow(b)
        return o ? nil : r
    }

    private func sum(_ xs: [Int?]) -> Int? { xs.reduce(0, add) }
}

extension ModelConfig {
    public var footprint: ModelFootprint { ModelFootprint(config: self) }
}
