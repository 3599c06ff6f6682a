// swift-tools-version:6.0
// Kymo: a notebook REPL and runner for spatiotemporal prediction research,
// over an embedded CPU tensor engine. Dependencies point one way, from the
// `kymo` host down to the engine; each C library enters in one tiny target.
import PackageDescription

// The numeric targets are always optimized (even in debug test builds) and
// target AVX2/FMA, with checks (`-O`, never `-Ounchecked`), so every
// precondition holds: `-Ounchecked` was measured to buy nothing here
// (docs/engine.md, "Build settings"). See docs/engine.md for the
// determinism rules.
let optimized: [SwiftSetting] = [
    .unsafeFlags(["-O", "-target-cpu", "haswell"]),
]

let package = Package(
    name: "Kymo",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "kymo", targets: ["kymo"]),
        .library(name: "TensorEngine", targets: ["TensorEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // One C library each, nothing else.
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas"),
        .systemLibrary(name: "CCairo", path: "Sources/CCairo", pkgConfig: "cairo"),
        .systemLibrary(name: "CReadline", path: "Sources/CReadline"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib"),
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "mpi"),
        .systemLibrary(name: "CZMQ", path: "Sources/CZMQ", pkgConfig: "libzmq"),
        // SVG figures rasterized for TensorBoard's image tab (`kymo runs export --tensorboard`).
        .systemLibrary(name: "CRSVG", path: "Sources/CRSVG", pkgConfig: "librsvg-2.0"),
        // The field's own formats for load_sequences/save_sequences (Debian libhdf5-dev, libnetcdf-dev).
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5"),
        .systemLibrary(name: "CNetCDF", path: "Sources/CNetCDF", pkgConfig: "netcdf"),

        // Kymo's own SGEMM (fixed per-element FMA order: the same bits on every
        // AVX2/FMA CPU) and the CPU check. Kernels carry their own target
        // attributes; the CPU check is baseline x86-64 so it can run anywhere.
        .target(name: "CKymoGEMM", path: "Sources/CKymoGEMM",
                cSettings: [.unsafeFlags(["-O3", "-ffp-contract=off", "-fno-fast-math"])]),

        // Small utilities every layer shares: the atomic file writer, the
        // aligned-column renderer, the memory budget.
        .target(name: "KymoBase"),

        // Tensors, primitive ops with their backward, autodiff, optimizers, RNG, safetensors.
        .target(name: "TensorEngine", dependencies: ["KymoBase", "CKymoGEMM"], swiftSettings: optimized),
        // Layers, the three model families, losses, metrics, training loop.
        .target(name: "Models", dependencies: ["TensorEngine"], swiftSettings: optimized),
        // MNIST IDX / NPY readers, the Moving MNIST generator, batching.
        .target(name: "Datasets", dependencies: ["KymoBase", "TensorEngine", "CZlib", "CHDF5", "CNetCDF", "CCairo"], swiftSettings: optimized),
        // MPI for data-parallel runs: init only under mpirun/srun, rank and size,
        // byte-exact all-gather and broadcast, barrier, abort. No float reductions.
        .target(name: "Distributed", dependencies: ["CMPI"]),
        // Figure model drawing into a Renderer; plain arrays in, never a Tensor.
        .target(name: "Figures"),
        // The Cairo renderer: SVG, PDF, PNG with pinned metadata.
        .target(name: "FiguresCairo", dependencies: ["KymoBase", "Figures", "CCairo"]),
        // Run records on disk and their comparison: the record model, the runs
        // folder, hashing and seals, listing, replay comparison. No language.
        .target(name: "Records", dependencies: [
            "KymoBase", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The language: scanner, parser, checker, interpreter, values,
        // diagnostics, built-in signatures and binding, number formatting.
        // It talks to its host through `InterpreterHost` and host values
        // through `HostObject`; it depends on no engine, model, data, figure
        // or record target.
        .target(name: "KymoLanguage", dependencies: ["KymoBase"]),
        // Kymo's built-ins (Builtins/, each declared once in BuiltinCatalog),
        // the session that runs the language with them, and the glue between
        // a session and its record (Recording/).
        .target(name: "Notebook", dependencies: [
            "KymoBase", "KymoLanguage", "Records", "TensorEngine", "Models", "Datasets", "Figures",
        ]),
        // CLI, REPL, Jupyter kernel (ZeroMQ, HMAC-signed messages), progress
        // display; gathers the build stamp and environment.
        // OpenBLAS is linked only for `kymo bench engine`'s comparison and the
        // environment line of records; no result goes through it.
        .executableTarget(name: "kymo", dependencies: [
            "KymoBase", "COpenBLAS", "Notebook", "KymoLanguage", "Records", "TensorEngine", "Models", "Datasets", "Figures", "FiguresCairo", "CReadline", "Distributed", "CZMQ", "CRSVG",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: optimized, plugins: ["BuildStamp"]),
        // Writes the commit the executable is built from (`kymo --version`, records).
        .plugin(name: "BuildStamp", capability: .buildTool()),

        // Tolerances, gradient checks, golden loading.
        .target(name: "TestSupport", dependencies: ["TensorEngine", "Records"], path: "Tests/TestSupport"),
        .testTarget(name: "TensorEngineTests", dependencies: ["TensorEngine", "CKymoGEMM", "TestSupport"],
                    resources: [.copy("Goldens")]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "TestSupport"], resources: [.copy("Goldens")]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "FiguresTests", dependencies: ["Figures", "FiguresCairo", "TestSupport"], resources: [.copy("Goldens")]),
        .testTarget(name: "RecordsTests", dependencies: ["KymoBase", "Records", "TestSupport"], exclude: ["Reference"]),
        .testTarget(name: "KymoLanguageTests", dependencies: ["KymoLanguage"]),
        .testTarget(name: "NotebookTests", dependencies: ["KymoBase", "Notebook", "KymoLanguage", "Records", "TensorEngine", "Models", "Datasets",
                                                          "Figures", "TestSupport"], exclude: ["Scripts", "Fixtures"]),
        // The built `kymo` binary driven end to end: run, replay, kill -9 and resume, the REPL in tmux.
        .testTarget(name: "EndToEndTests", dependencies: ["kymo", "Records", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
