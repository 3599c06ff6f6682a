// BuiltinCatalog: every built-in function, declared once — its signature
// (name, parameters, result, documentation) and its implementation together
// (docs/language.md is the contract for the names) — and the properties,
// methods and index results of each kind of host value, from which the
// checker, completion and `:help` take their types.
//
// The general-purpose list built-ins (sum, mean, std, median, argmin,
// argmax, map, filter, zip, enumerate, any, all, reversed, range) need no
// engine: the language declares them (`ListBuiltins`) and `functions` below
// appends them, so this one registry still holds every built-in.
//
// Adding a built-in: one `BuiltinDeclaration` entry below, whose `run:` names
// the implementation (`(BoundArguments, CallContext) throws -> Value`, in the
// `*Builtins.swift` file of its area). Arguments arrive checked against the
// signature, with defaults filled in.

import KymoLanguage

public enum BuiltinCatalog {
    /// A registry of every built-in and host kind below: what a session calls.
    public static func registry() -> BuiltinRegistry {
        BuiltinRegistry(functions: functions, hostKinds: hostKinds)
    }

    /// The band of the group forms of plot_loss and plot_metrics.
    private static let groupBand = BuiltinParameter.named("band", .string, default: .string("sd"), choices: ["sd", "minmax"],
                                                          doc: "groups: the band around the mean, ±1 sd (\"sd\") or min–max (\"minmax\")")
    /// The figure title of plot_loss and plot_metrics (a figure of a sweep names the sweep in it).
    private static let figureTitle = BuiltinParameter.named("title", .string, default: .null,
                                                            doc: "the figure's title (default: what it shows)")

    private static let model = ParamType.host("model")
    private static let dataset = ParamType.host("dataset")
    private static let tensor = ParamType.host("tensor")
    private static let shape = ParamType.either([.intList, .int])
    private static let positiveInt = ValueRange.atLeast(1)
    /// The axis of a tensor reduction (default: every element).
    private static let axis = BuiltinParameter.named("axis", .int, default: .null, doc: "the axis to reduce (negative counts from the last)")

    /// Config keys shared by the three model families (docs/models.md).
    static func modelConfig(attention: Bool, upstreamOption: Bool = false) -> [BuiltinParameter] {
        var ps: [BuiltinParameter] = [
            .positional("config", .record, default: .null, doc: "a config record; named arguments override its keys"),
            .named("layers", .int, default: .null, range: positiveInt, doc: "number of stacked recurrent cells"),
            .named("hidden", .int, default: .null, range: positiveInt, doc: "channels of each cell's state"),
            .named("kernel", .int, default: .null, range: positiveInt, doc: "convolution kernel size"),
            .named("size", .int, default: .null, range: positiveInt, doc: "frame height = width (the square shorthand)"),
            .named("height", .int, default: .null, range: positiveInt, doc: "frame height (with width, for non-square frames)"),
            .named("width", .int, default: .null, range: positiveInt, doc: "frame width"),
            .named("channels", .int, default: .null, range: positiveInt, doc: "channels of a frame (the dataset's channels)"),
            .named("patch", .int, default: .null, range: positiveInt, doc: "patch size frames are cut into"),
            .named("frames_in", .int, default: .null, range: positiveInt, doc: "input frames"),
            .named("frames_out", .int, default: .null, range: positiveInt, doc: "predicted frames"),
            .named("activation", .string, default: .null, choices: ["tanh", "relu", "leaky_relu", "sigmoid"],
                   doc: "cell activation"),
            .named("mode", .string, default: .null, choices: ["predictor", "seq2seq"],
                   doc: "\"predictor\" (frame by frame, the paper) or \"seq2seq\" (the reference repository)"),
        ]
        if attention {
            ps.append(.named("attention_hidden", .int, default: .null, range: positiveInt, doc: "channels of the attention queries and keys"))
        }
        if upstreamOption {
            ps.append(.named("upstream_doubling", .bool, default: .null,
                             doc: "compute the upstream repository's SA_h(h) + SA_h(h) instead of h + SA_h(h), for its checkpoints"))
        }
        return ps
    }

    /// Every built-in function, in the order of docs/language.md's table.
    static var functions: [BuiltinDeclaration] { [
        // randomness
        BuiltinDeclaration("seed", [.positional("n", .int, default: .null)], returns: nil,
                           doc: "seed() starts the streams again from the run's seed (--seed, default 0); seed(n) pins the root seed to n, and --seed then changes nothing. Every random consumer derives its own stream from it.",
                           run: CoreBuiltins.seed),
        // tensors
        BuiltinDeclaration("tensor", [.positional("values", .either([.list, .float]))], returns: tensor,
                           doc: "A tensor from a number or a nested list of numbers.",
                           run: TensorBuiltins.tensor),
        BuiltinDeclaration("zeros", [.positional("shape", shape)], returns: tensor, doc: "A tensor of zeros.",
                           run: TensorBuiltins.zeros),
        BuiltinDeclaration("ones", [.positional("shape", shape)], returns: tensor, doc: "A tensor of ones.",
                           run: TensorBuiltins.ones),
        BuiltinDeclaration("randn", [.positional("shape", shape)], returns: tensor,
                           doc: "Standard normal values from this call site's random stream.",
                           run: TensorBuiltins.randn),
        BuiltinDeclaration("rand", [.positional("shape", shape)], returns: tensor,
                           doc: "Uniform values in [0, 1) from this call site's random stream.",
                           run: TensorBuiltins.rand),
        BuiltinDeclaration("matmul", [.positional("a", tensor), .positional("b", tensor)], returns: tensor,
                           doc: "Matrix product (batched over leading axes).",
                           run: TensorBuiltins.matmul),
        BuiltinDeclaration("conv2d", [.positional("x", tensor), .positional("w", tensor),
                                      .positional("b", tensor, default: .null),
                                      .named("padding", .either([.int, .intList]), default: .int(0), range: .atLeast(0))],
                           returns: tensor, doc: "2-D convolution: x [B, C, H, W], w [O, C, kH, kW], b [O].",
                           run: TensorBuiltins.conv2d),
        BuiltinDeclaration("sigmoid", [.positional("x", tensor)], returns: tensor, doc: "Elementwise logistic sigmoid.",
                           run: TensorBuiltins.sigmoid),
        BuiltinDeclaration("tanh", [.positional("x", tensor)], returns: tensor, doc: "Elementwise hyperbolic tangent.",
                           run: TensorBuiltins.tanh),
        BuiltinDeclaration("relu", [.positional("x", tensor)], returns: tensor, doc: "Elementwise max(x, 0).",
                           run: TensorBuiltins.relu),
        BuiltinDeclaration("softmax", [.positional("x", tensor), .named("axis", .int, default: .int(-1))], returns: tensor,
                           doc: "Softmax along an axis (default the last).",
                           run: TensorBuiltins.softmax),
        BuiltinDeclaration("load_tensors", [.positional("path", .string)], returns: .record,
                           doc: "Reads a safetensors file into a record of tensors.",
                           run: DataBuiltins.loadTensors),
        BuiltinDeclaration("save_tensors", [.positional("path", .string), .positional("tensors", .record)],
                           doc: "Writes a record of tensors to a safetensors file.",
                           run: DataBuiltins.saveTensors),
        // data
        BuiltinDeclaration("moving_mnist", [
            .named("train", .int, range: .atLeast(1), doc: "training sequences"),
            .named("test", .int, range: .atLeast(0), doc: "test sequences"),
            .named("frames", .int, default: .int(20), range: .atLeast(2), doc: "frames per sequence"),
            .named("size", .int, default: .int(64), range: .atLeast(8), doc: "frame height = width"),
            .named("digits", .int, default: .int(2), range: .atLeast(1), doc: "digits per sequence"),
            .named("source", .string, default: .string("auto"), doc: "where the MNIST digits come from"),
        ], returns: .record, doc: "Moving MNIST: a record {train, test} of datasets.",
                           run: DataBuiltins.movingMNIST),
        BuiltinDeclaration("load_moving_mnist", [.positional("path", .string)], returns: dataset,
                           doc: "Reads the standard mnist_test_seq.npy as a dataset.",
                           run: DataBuiltins.loadMovingMNIST),
        BuiltinDeclaration("load_sequences", [
            .positional("path", .string, doc: "an .npy, .npz, .h5/.hdf5 or .nc file, or a folder of .png frames"),
            .named("layout", .string, default: .string("NTCHW"), doc: "the file's axes in order, from N T C H W (N and C optional)"),
            .named("variable", .string, default: .null, doc: "the array: .npz member, HDF5 dataset path, NetCDF variable"),
            .named("frames", .int, default: .null, range: positiveInt, doc: "cut each series into windows of this many frames"),
            .named("stride", .int, default: .null, range: positiveInt, doc: "frames between window starts (default: frames)"),
        ], returns: dataset, doc: "Reads your own sequences (values as stored, converted to float32) as a dataset.",
                           run: SequenceBuiltins.loadSequences),
        BuiltinDeclaration("split", [
            .positional("ds", dataset),
            .named("train", .either([.int, .float]), default: .null, doc: "a fraction (0.7) or a count of sequences"),
            .named("validation", .either([.int, .float]), default: .null, doc: "a fraction or a count"),
            .named("test", .either([.int, .float]), default: .null, doc: "a fraction or a count"),
        ], returns: .record, doc: "Contiguous parts in order, never shuffled; windows straddling two parts are dropped (and counted).",
                           run: SequenceBuiltins.split),
        BuiltinDeclaration("normalize", [
            .positional("data", .any, doc: "a record of parts from split (fitted on train) or a dataset"),
            .named("method", .string, default: .string("standard"), choices: ["standard", "minmax"], doc: "per channel: (x − mean)/std or (x − min)/(max − min)"),
            .named("fit", dataset, default: .null, doc: "for a single dataset: the dataset to fit on (default: itself)"),
        ], returns: .any, doc: "Per-channel normalization fitted on the training data only, applied to every part.",
                           run: SequenceBuiltins.normalize),
        BuiltinDeclaration("save_sequences", [
            .positional("path", .string, doc: "an .npy, .npz, .h5/.hdf5 or .nc file"),
            .positional("ds", dataset),
            .named("layout", .string, default: .string("NTCHW"), doc: "the axes in order (N or C may be left out when 1)"),
            .named("variable", .string, default: .string("sequences"), doc: "the array's name in .npz/.nc files; in .h5 files a name or a path such as \"/radar/field\" (groups made)"),
        ], doc: "Writes a dataset's sequences as float32 (atomically; recorded as an artifact with its SHA-256).",
                           run: SequenceBuiltins.saveSequences),
        // models
        BuiltinDeclaration("convlstm", modelConfig(attention: false), returns: model,
                           doc: "A ConvLSTM model.",
                           run: ModelBuiltins.make(.convlstm)),
        BuiltinDeclaration("sa_convlstm", modelConfig(attention: true, upstreamOption: true), returns: model,
                           doc: "An SA-ConvLSTM model (self-attention module).",
                           run: ModelBuiltins.make(.saConvlstm)),
        BuiltinDeclaration("sam_convlstm", modelConfig(attention: true), returns: model,
                           doc: "A SAM-ConvLSTM model (self-attention memory module).",
                           run: ModelBuiltins.make(.samConvlstm)),
        // weights
        BuiltinDeclaration("save", [.positional("model", model), .positional("path", .string)],
                           doc: "Writes the model's weights (PyTorch state_dict names) to a .safetensors file.",
                           run: ModelBuiltins.save),
        BuiltinDeclaration("load", [.positional("model", model), .positional("path", .string),
                                    .named("strict", .bool, default: .bool(true),
                                           doc: "false: load despite a differing kymo.config (a note per difference)"),
                                    .named("prefix", .string, default: .null,
                                           doc: "a prefix to strip from every tensor name (e.g. \"module.\")")],
                           doc: "Reads weights from a safetensors file (or a Kymo training checkpoint) into the model.",
                           run: ModelBuiltins.load),
        // training
        BuiltinDeclaration("train", [
            .positional("model", model), .positional("ds", dataset),
            .named("steps", .int, range: .atLeast(1), doc: "optimizer steps"),
            .named("batch", .int, default: .int(8), range: .atLeast(1), doc: "sequences per step"),
            .named("lr", .float, default: .float(1e-3), range: .above(0), doc: "learning rate"),
            .named("optimizer", .string, default: .string("adam"), choices: ["adam", "sgd", "adamw"]),
            .named("loss", .string, default: .string("mse"), choices: ["mse", "bce"]),
            .named("reduction", .string, default: .string("mean"), choices: ["mean", "sum"]),
            .named("validate", dataset, default: .null, doc: "dataset to validate on"),
            .named("every", .int, default: .null, range: .atLeast(1), doc: "validate every N steps"),
            .named("sampling", .any, default: .null, doc: "scheduled sampling (predictor mode)"),
            .named("schedule", .any, default: .null, doc: "learning-rate schedule: \"constant\", \"step\", \"cosine\", \"onecycle\" or a record {kind: …}"),
            .named("clip", .float, default: .null, range: .above(0), doc: "clip gradients to this global L2 norm"),
            .named("weight_decay", .float, default: .float(0), range: .atLeast(0), doc: "L2 (sgd, adam) or decoupled decay (adamw)"),
            .named("early_stop", .int, default: .null, range: .atLeast(1), doc: "patience in validations without a better validation loss"),
        ], returns: .host("history"),
           doc: "Trains the model; returns a history (.steps, .loss, .validation, .lr, .grad_norm, .best_step). Ctrl-C stops at a step boundary.",
                           run: ModelBuiltins.train),
        BuiltinDeclaration("forward", [.positional("model", model), .positional("input", tensor)], returns: tensor, doc: "The model's output for input [B, T, C, H, W].",
                           run: ModelBuiltins.forward),
        BuiltinDeclaration("gradients", [
            .positional("model", model), .positional("input", tensor), .positional("target", tensor),
            .named("loss", .string, default: .string("mse"), choices: ["mse", "bce"]),
            .named("reduction", .string, default: .string("mean"), choices: ["mean", "sum"]),
        ], returns: .record, doc: "Parameter gradients, keyed like model.parameters.",
                           run: ModelBuiltins.gradients),
        // evaluation
        BuiltinDeclaration("evaluate", [.positional("model", model), .positional("ds", dataset),
                                        .named("thresholds", .list, default: .null, doc: "CSI/POD/FAR at each threshold, in data units"),
                                        .named("data_range", .float, default: .null, range: .above(0), doc: "the L of SSIM and PSNR (default 1, or the fitted range of a normalized dataset)")],
                           returns: .record, doc: "Metrics {mse, mae, ssim, psnr} plus per-frame lists (in data units for a normalized dataset, with rmse).",
                           run: ModelBuiltins.evaluate),
        BuiltinDeclaration("predict", [.positional("model", model), .positional("seq", .either([tensor, dataset]))], returns: .any,
                           doc: "Predicted frames for one sequence (a tensor), or for every sequence of a dataset (a dataset of frames_out frames, in data units).",
                           run: ModelBuiltins.predict),
        BuiltinDeclaration("attention", [
            .positional("model", model), .positional("seq", tensor),
            .named("layer", .int, default: .int(1), range: .atLeast(1)),
            .named("query", .intList, doc: "query pixel [y, x]"),
        ], returns: tensor, doc: "Attention maps [frames, H, W] for a query pixel (SA and SAM only).",
                           run: ModelBuiltins.attention),
        // figures
        BuiltinDeclaration("plot_loss", [.positional("histories", .either([.list, .host("history")])),
                                       .named("labels", .list, default: .null),
                                       .named("lr", .bool, default: .bool(false), doc: "add a panel with the learning rate of every step"),
                                       .named("smooth", .float, default: .null, range: .within(0, 0.999),
                                              doc: "EMA weight of a drawn trend over the faint raw curve, named in the legend with its window (default: none, the raw curves)"),
                                       groupBand, figureTitle] + FigureOptions.parameters,
                           returns: .host("figure"),
                           doc: "Loss curves of training histories (lr: true adds a learning-rate panel); a list of lists of histories draws each group's mean with a band.",
                           run: FigureBuiltins.plotLoss),
        BuiltinDeclaration("plot_attention", [
            .positional("model", model), .positional("seq", tensor),
            .named("layer", .int, default: .int(1), range: .atLeast(1)),
            .named("query", .intList, doc: "query pixel [y, x]"),
            .named("steps", .intList, default: .null, doc: "the steps to draw, from 1 (default: every step attention() returns)"),
            .named("channel", .int, default: .null, range: .atLeast(0), doc: "the input channel drawn under the maps (from 0; default 0)"),
            .named("opacity", .float, default: .float(0.6), range: .within(0, 1), doc: "of the map over the frame"),
            .named("overlay", .bool, default: .bool(true), doc: "false: the map alone (its colours exactly the colour bar's)"),
            figureTitle,
        ] + FigureOptions.imageParameters, returns: .host("figure"), doc: "Attention maps for a query pixel over the frames.",
                           run: FigureBuiltins.plotAttention),
        BuiltinDeclaration("plot_frames", [.positional("truth", tensor), .positional("prediction", tensor),
                                           .named("frames_in", .int, default: .null, range: .atLeast(0),
                                                  doc: "the model's frames_in: the prediction is of frames frames_in+1… (default: known from predict)"),
                                           .named("start", .int, default: .null, range: .atLeast(1), doc: "the number of the frame the first prediction is of"),
                                           .named("model", model, default: .null, doc: "the model that predicted (its frames_in)"),
                                           .named("inputs", .bool, default: .bool(false), doc: "show the observed frames before the prediction"),
                                           .named("channel", .int, default: .null, range: .atLeast(0), doc: "one channel (from 0); default: a group of rows per channel"),
                                           .named("error", .bool, default: .bool(true), doc: "add the |truth − prediction| row"),
                                           .named("cmap", .string, default: .null, doc: "colour map: viridis, magma, gray, coolwarm (default: gray for 0…1 frames, else viridis)"),
                                           figureTitle] + FigureOptions.imageParameters,
                           returns: .host("figure"), doc: "Truth and prediction strips, the prediction under the truth frames it predicts.",
                           run: FigureBuiltins.plotFrames),
        BuiltinDeclaration("plot_metrics", [.positional("records", .list), .named("labels", .list, default: .null), groupBand, figureTitle]
                                               + FigureOptions.parameters,
                           returns: .host("figure"),
                           doc: "Per-frame metric curves of evaluations; a list of lists of records draws each group's mean with a band.",
                           run: FigureBuiltins.plotMetrics),
        BuiltinDeclaration("load_sweep", [.positional("sweep", .string),
                                        .named("runs", .string, default: .string(""), doc: "the runs folder (default: runs/ and */runs)")],
                           returns: .list,
                           doc: "A finished sweep's verified points: a list of {run, seed, overrides, metrics (last values), series, histories, history}.",
                           run: SweepBuiltins.loadSweep),
        // records
        BuiltinDeclaration("log", [.positional("name", .either([.string, .float, tensor]),
                                               doc: "the metric's name (log(name, value)), or a number or tensor (log(x): its natural logarithm)"),
                                   .positional("value", .either([.float, tensor]), default: .null, doc: "the value to record under the name")],
                           returns: .any,
                           doc: "log(name, value) adds a value to the metric series NAME of the run record; log(x) is x's natural logarithm (as ln).",
                           run: CoreBuiltins.log),
        BuiltinDeclaration("run_id", [], returns: .string, doc: "The id of this run's record.",
                           run: CoreBuiltins.runID),
        // output
        BuiltinDeclaration("print", [], variadic: true, doc: "Prints its arguments separated by spaces.",
                           run: CoreBuiltins.print),
        // everyday
        BuiltinDeclaration("len", [.positional("x", .any)], returns: .int,
                           doc: "Length of a list, string (characters), record (keys), range, dataset (sequences) or tensor (first axis).",
                           run: EverydayBuiltins.len),
        BuiltinDeclaration("str", [.positional("x", .any)], returns: .string,
                           doc: "The value as print shows it (a string stays as it is).",
                           run: EverydayBuiltins.str),
        BuiltinDeclaration("int", [.positional("x", .either([.float, .string, .bool]))], returns: .int,
                           doc: "An int: a float truncated toward zero, a bool as 0 or 1, a string of digits.",
                           run: EverydayBuiltins.int),
        BuiltinDeclaration("float", [.positional("x", .either([.float, .string, .bool]))], returns: .float,
                           doc: "A float from a number, a bool or a string (\"1e-3\", \"nan\", \"inf\").",
                           run: EverydayBuiltins.float),
        BuiltinDeclaration("abs", [.positional("x", .either([.int, .float, tensor]))], returns: .either([.int, .float, tensor]),
                           doc: "Absolute value (an int stays an int; a tensor elementwise).",
                           run: EverydayBuiltins.abs),
        BuiltinDeclaration("min", [], variadic: true, returns: .any,
                           doc: "The smallest of its arguments, or of one list: numbers or strings; the first on a tie.",
                           run: EverydayBuiltins.min),
        BuiltinDeclaration("max", [], variadic: true, returns: .any,
                           doc: "The largest of its arguments, or of one list: numbers or strings; the first on a tie.",
                           run: EverydayBuiltins.max),
        BuiltinDeclaration("round", [.positional("x", .either([.int, .float])),
                                     .named("digits", .int, default: .null, range: .within(0, 100), doc: "decimals to keep (result a float)")],
                           returns: .either([.int, .float]),
                           doc: "Nearest int, or with digits: the float nearest format(x, \".Nf\"). Ties go to even (round(2.5) is 2).",
                           run: EverydayBuiltins.round),
        BuiltinDeclaration("sorted", [.positional("xs", .any, doc: "a list or a range"),
                                      .named("by", .string, default: .null, doc: "sort records by this key"),
                                      .named("key", .function, default: .null, doc: "sort by key(x), a number or a string").calling(1),
                                      .named("reverse", .bool, default: .bool(false), doc: "largest first")],
                           returns: .list,
                           doc: "A sorted copy of a list of numbers or strings (or of records, by: key); stable.",
                           run: EverydayBuiltins.sorted),
        BuiltinDeclaration("keys", [.positional("r", .record)], returns: .list,
                           doc: "A record's keys, in order, as a list of strings.",
                           run: EverydayBuiltins.keys),
        BuiltinDeclaration("format", [.positional("x", .either([.float, .string])),
                                      .positional("spec", .string, default: .string(""),
                                                  doc: "[[fill]align][sign][0][width][,][.precision][type], type f e g % d s")],
                           returns: .string,
                           doc: "A number or string as text by a Python-style spec: format(0.12345, \".3f\") is \"0.123\".",
                           run: EverydayBuiltins.format),
        BuiltinDeclaration("table", [.positional("rows", .either([.list, .record])),
                                     .named("columns", .list, default: .null, doc: "column names, in order (default: every scalar key)"),
                                     .named("format", .either([.string, .record]), default: .null,
                                            doc: "spec for floats, or a record of specs by column (default \".4g\")"),
                                     .named("label", .string, default: .string(""), doc: "header of the row-name column (record of records)")],
                           doc: "Prints records as aligned columns: a list of records, a record of records (keys name the rows) or one record.",
                           run: EverydayBuiltins.table),
        // elementwise math (numbers and tensors)
        BuiltinDeclaration("sqrt", [.positional("x", .either([.float, tensor]))], returns: .either([.float, tensor]),
                           doc: "Square root (correctly rounded), of a number or elementwise.",
                           run: AnalysisBuiltins.sqrt),
        BuiltinDeclaration("exp", [.positional("x", .either([.float, tensor]))], returns: .either([.float, tensor]),
                           doc: "e^x, of a number or elementwise (Kymo's own exp: the same bits on every CPU).",
                           run: AnalysisBuiltins.exp),
        BuiltinDeclaration("ln", [.positional("x", .either([.float, tensor]))], returns: .either([.float, tensor]),
                           doc: "Natural logarithm, of a number or elementwise (ln 0 = -inf, ln of a negative = nan); 'log' records a metric.",
                           run: AnalysisBuiltins.log),
        BuiltinDeclaration("clip", [.positional("x", .either([.float, tensor])),
                                    .positional("lo", .either([.int, .float])), .positional("hi", .either([.int, .float]))],
                           returns: .either([.int, .float, tensor]), doc: "x limited to [lo, hi], of a number or elementwise (nan stays nan).",
                           run: AnalysisBuiltins.clip),
    ] + ListBuiltins.declarations }

    /// Properties, methods and indexing of each kind of host value (static
    /// checks, completion, `:help`). A new host kind is one entry here.
    static let hostKinds: [String: HostKind] = [
        "tensor": HostKind(properties: [HostProperty("shape", .intList)], methods: [
            BuiltinSignature("sum", [axis], returns: tensor, doc: "Sum of all elements (a scalar tensor), or along an axis (the axis removed)."),
            BuiltinSignature("mean", [axis], returns: tensor, doc: "Mean of all elements (a scalar tensor), or along an axis."),
            BuiltinSignature("max", [axis], returns: tensor, doc: "Largest element (a scalar tensor), or along an axis; nan if any is nan."),
            BuiltinSignature("min", [axis], returns: tensor, doc: "Smallest element (a scalar tensor), or along an axis; nan if any is nan."),
            BuiltinSignature("std", [axis, .named("ddof", .int, default: .int(0), range: .atLeast(0),
                                                  doc: "0: population std (NumPy's default), 1: sample std")],
                             returns: tensor, doc: "Standard deviation of all elements, or along an axis."),
            BuiltinSignature("argmax", [axis], returns: .either([.int, tensor]),
                             doc: "Index of the largest element: an int into the flattened tensor, or along an axis a tensor of indices."),
            BuiltinSignature("argmin", [axis], returns: .either([.int, tensor]),
                             doc: "Index of the smallest element: an int into the flattened tensor, or along an axis a tensor of indices."),
            BuiltinSignature("tolist", [], returns: .any, doc: "The values as nested lists of floats (a float for a scalar tensor)."),
            BuiltinSignature("slice", [.positional("index", .any, doc: "an int (the axis removed) or a range"),
                                       .named("axis", .int, doc: "the axis to slice")],
                             returns: tensor, doc: "t.slice(2..<5, axis: 1): elements along any axis (t[2..<5] slices the first)."),
            BuiltinSignature("reshape", [.positional("shape", .intList)], returns: tensor,
                             doc: "The same values in a new shape (one dimension may be -1)."),
            BuiltinSignature("transpose", [.positional("a", .int), .positional("b", .int)], returns: tensor,
                             doc: "Swaps two axes."),
            BuiltinSignature("item", [], returns: .float, doc: "The value of a one-element tensor."),
        ], indexYields: tensor, arithmetic: [.add, .sub, .mul, .div, .lt, .le, .gt, .ge], negates: true, slices: true),
        "model": HostKind(properties: [HostProperty("parameters", .record), HostProperty("count", .int),
                                       HostProperty("config", .record), HostProperty("family", .string)],
                          methods: [], indexYields: nil),
        "dataset": HostKind(properties: [HostProperty("count", .int), HostProperty("frames", .int), HostProperty("size", .int),
                                         HostProperty("channels", .int), HostProperty("height", .int), HostProperty("width", .int)],
                            methods: [], indexYields: tensor),
        "history": HostKind(properties: [HostProperty("steps", .intList), HostProperty("loss", .list),
                                         HostProperty("validation", .record), HostProperty("status", .string),
                                         HostProperty("seconds", .float), HostProperty("lr", .list),
                                         HostProperty("grad_norm", .list), HostProperty("best_step", .any)],
                            methods: [], indexYields: nil),
        "figure": HostKind(properties: [], methods: [
            BuiltinSignature("save", [.positional("path", .string)],
                             doc: "Writes the figure as SVG, PDF or PNG, chosen by the path's extension; .csv writes the values it draws."),
            BuiltinSignature("show", [],
                             doc: "Shows the figure below the cell in Jupyter (SVG and PNG); elsewhere does nothing (use save)."),
        ], indexYields: nil),
    ]
}
