// Bindings: which built-ins have an implementation, as one table of closures.
//
// To bind a built-in, add one line here: `"train": ModelBindings.train,`
// where the function has type `BuiltinImplementation`
// (`(BoundArguments, CallContext) throws -> Value`). Its signature is already
// declared in `BuiltinCatalog.swift`, so arguments arrive checked and with
// defaults filled in. A host may also bind at run time with
// `session.registry.bind(name, implementation)` (e.g. figure saving, which
// needs Cairo). A name missing here fails with "not available yet: NAME (issue N)".

enum Bindings {
    static let table: [String: BuiltinImplementation] = [
        // randomness, records, output
        "seed": CoreBuiltins.seed,
        "log": CoreBuiltins.log,
        "run_id": CoreBuiltins.runID,
        "print": CoreBuiltins.print,
        // tensors
        "tensor": TensorBuiltins.tensor,
        "zeros": TensorBuiltins.zeros,
        "ones": TensorBuiltins.ones,
        "randn": TensorBuiltins.randn,
        "rand": TensorBuiltins.rand,
        "matmul": TensorBuiltins.matmul,
        "conv2d": TensorBuiltins.conv2d,
        "sigmoid": TensorBuiltins.sigmoid,
        "tanh": TensorBuiltins.tanh,
        "relu": TensorBuiltins.relu,
        "softmax": TensorBuiltins.softmax,
        // Not bound yet (declared in BuiltinCatalog):
        //   issue 2 (engine):  load_tensors, save_tensors
        //   issue 4 (models, data, training, evaluation): moving_mnist, load_moving_mnist, convlstm,
        //     sa_convlstm, sam_convlstm, save, load, train, forward, gradients, evaluate, predict, attention
        //   issue 3 (figures): plot_loss, plot_attention, plot_frames, plot_metrics (and figure.save)
    ]
}
