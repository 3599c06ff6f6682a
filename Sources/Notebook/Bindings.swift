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
        "load_tensors": DataBuiltins.loadTensors,
        "save_tensors": DataBuiltins.saveTensors,
        // data
        "moving_mnist": DataBuiltins.movingMNIST,
        "load_moving_mnist": DataBuiltins.loadMovingMNIST,
        // models, weights, training, evaluation
        "convlstm": ModelBuiltins.make(.convlstm),
        "sa_convlstm": ModelBuiltins.make(.saConvlstm),
        "sam_convlstm": ModelBuiltins.make(.samConvlstm),
        "save": ModelBuiltins.save,
        "load": ModelBuiltins.load,
        "train": ModelBuiltins.train,
        "forward": ModelBuiltins.forward,
        "gradients": ModelBuiltins.gradients,
        "evaluate": ModelBuiltins.evaluate,
        "predict": ModelBuiltins.predict,
        "attention": ModelBuiltins.attention,
        // figures (saving is bound by the host: FigureValue.writer)
        "plot_loss": FigureBuiltins.plotLoss,
        "plot_attention": FigureBuiltins.plotAttention,
        "plot_frames": FigureBuiltins.plotFrames,
        "plot_metrics": FigureBuiltins.plotMetrics,
    ]
}
