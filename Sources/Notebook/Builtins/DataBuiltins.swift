// DataBuiltins: moving_mnist, load_moving_mnist, load_tensors and
// save_tensors bound to the Datasets and TensorEngine targets. Training
// sequences draw from this call site's stream; test sequences come from a
// fixed stream, so every run evaluates on the same held-out sequences.

import KymoLanguage
import Foundation
import TensorEngine
import Datasets

enum DataBuiltins {
    static func movingMNIST(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let parsed = try ModelBuiltins.call { try DigitSource(parsing: try args.string("source")) }
        // The files it reads: checked by the path policy, recorded as inputs,
        // and named in the printed description by file name and short hash.
        let (source, files) = Digits.resolve(parsed)
        var labels: [(name: String, label: String)] = []
        for f in files {
            let file = try context.resolvePath(f)
            let sha = try context.fileRead(name: (f as NSString).lastPathComponent, file: file, kind: "digits", hash: true)
            let name = (f as NSString).lastPathComponent
            labels.append((name, name + " sha256:" + String((sha ?? "").prefix(8))))
        }
        let side = try args.int("size"), frames = try args.int("frames")
        try MemoryCharges.tensor(MemoryCharges.bytes(side, side).flatMap { MemoryCharges.bytes($0, frames) },
                                 "moving_mnist: one sequence of \(frames) frames at \(side)×\(side)")
        let progress = context.progress("moving_mnist", total: 1)
        let (train, test) = try ModelBuiltins.call {
            try MovingMNIST.make(train: try args.int("train"), test: try args.int("test"),
                                 frames: try args.int("frames"), size: try args.int("size"),
                                 digits: try args.int("digits"), source: source,
                                 trainStream: context.randomStream("moving_mnist"))
        }
        progress.advance(to: 1)
        progress.end()
        return .record(Record([("train", .host(DatasetValue(train, fileLabels: labels))),
                               ("test", .host(DatasetValue(test, fileLabels: labels)))]))
    }

    static func loadMovingMNIST(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        // A bare file name (the standard "mnist_test_seq.npy") is also looked for in data/ and the user data folder.
        let name = try args.string("path")
        let resolved = try context.resolvePath(name)
        let path = FileManager.default.fileExists(atPath: resolved)
            ? resolved : (Digits.findDataFile(name, from: try context.resolvePath(".")) ?? resolved)
        let sha = try context.fileRead(name: name, file: path, kind: "sequences", hash: true)
        let label = (path as NSString).lastPathComponent
        return .host(DatasetValue(try ModelBuiltins.call { try MovingMNISTFile.load(path, name: name) },
                                  fileLabels: [(label, label + " sha256:" + String((sha ?? "").prefix(8)))], contentSHA256: sha))
    }

    static func loadTensors(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let path = try context.inputFile(try args.string("path"), kind: "tensors")
        let file = try ModelBuiltins.call { try Safetensors.read(path: path) }
        return .record(Record(file.tensors.map { ($0.name, .host(TensorValue($0.tensor))) }))
    }

    static func saveTensors(_ args: BoundArguments, _ context: CallContext) throws -> Value {
        let path = try args.string("path")
        guard case .record(let r) = args["tensors"] else { throw BuiltinError("save_tensors needs a record of tensors", kind: .type) }
        var tensors: [(name: String, tensor: Tensor)] = []
        for (k, v) in r.pairs {
            guard case .host(let h) = v, let t = h as? TensorValue else {
                throw BuiltinError("save_tensors: '\(k)' is a \(v.typeName), not a tensor", kind: .type)
            }
            tensors.append((k, t.tensor))
        }
        let file = try context.outputPath(path)
        try ModelBuiltins.call { try Safetensors.write(SafetensorsFile(tensors: tensors), path: file) }
        try context.fileWritten(path: path, file: file)
        return .null
    }
}
