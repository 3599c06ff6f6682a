// load() on files written by PyTorch (Goldens/weights/, made by
// reference/gen_weights_fixtures.py) and by Kymo: every way a file can fail to
// be this model's gives its diagnosis and changes nothing; kymo.config is
// compared key by key (strict: false loads with notes); without it the
// activation assumed is said; wrapper prefixes and upstream names are read
// through with a note; a Kymo training checkpoint loads; the upstream SA
// doubling reproduces the upstream cell's outputs.
import XCTest
import TensorEngine
import TestSupport
@testable import Models

final class WeightsLoadTests: XCTestCase {
    /// The model of most fixtures: sam_convlstm(mode: "seq2seq", layers: 2, hidden: 3, size: 6, frames_in: 2, activation: "relu", attention_hidden: 2).
    func sam(_ activation: Activation = .relu, hidden: Int = 3, family: ModelFamily = .samConvlstm, mode: AssemblyMode = .seq2seq) -> ModelConfig {
        ModelConfig(family: family, mode: mode, layers: 2, hidden: hidden, kernel: 3, size: 6, channels: 1, patch: 1,
                    framesIn: 2, framesOut: 2, activation: activation, attentionHidden: 2)
    }

    func fixture(_ name: String) -> String { Goldens.path("weights/" + name) }

    /// The refusal's text; fails the test when the load succeeds or changes a parameter.
    func refusal(_ model: Model, _ path: String, _ options: WeightsLoadOptions = WeightsLoadOptions(),
                 file: StaticString = #filePath, line: UInt = #line) -> String {
        let before = model.parameters.map { $0.detached() }
        defer {
            for (p, q) in zip(model.parameters, before) where !sameBits(p, q) {
                XCTFail("a refused load changed \(p.name ?? "?")", file: file, line: line)
            }
        }
        do {
            _ = try model.loadWeights(from: path, options: options)
            XCTFail("\(path) loaded", file: file, line: line)
            return ""
        } catch { return "\(error)" }
    }

    func output(_ m: Model, _ x: Tensor) throws -> Tensor { try withNoGrad { try m.forward(x) } }

    func maxDifference(_ a: Tensor, _ b: Tensor) -> Double {
        zip(a.toArray(), b.toArray()).map { abs(Double($0) - Double($1)) }.max() ?? 0
    }

    // MARK: files without kymo.config

    func testAPyTorchStateDictLoadsAndSaysWhichActivationItAssumes() throws {
        let check = try Safetensors.read(path: fixture("sam_relu_check.safetensors"))
        let x = try XCTUnwrap(check["x"]), y = try XCTUnwrap(check["y"])
        let relu = try Model(config: sam(.relu), seed: 1)
        let report = try relu.loadWeights(from: fixture("sam_relu.safetensors"))
        XCTAssertEqual(report.tensors, relu.namedParameters.count)
        XCTAssertEqual(report.dtypes, ["F32"])
        XCTAssertTrue(report.source.contains("without kymo.config"), report.source)
        XCTAssertTrue(report.notes.contains { $0.contains("this model computes with relu") && $0.contains("reference Seq2Seq's is relu") }, "\(report.notes)")
        assertRelativeClose(try output(relu, x), y, tol: 2e-6, "relu model on PyTorch's relu weights")

        // The default (tanh) model loads the same file — nothing in it says otherwise —
        // and its printed report says tanh, which is why it predicts something else.
        let tanh = try Model(config: sam(.tanh), seed: 1)
        let r2 = try tanh.loadWeights(from: fixture("sam_relu.safetensors"))
        XCTAssertTrue(r2.text(path: "w").contains("note: no kymo.config, and weights do not record the activation: this model computes with tanh"), r2.text(path: "w"))
        XCTAssertGreaterThan(maxDifference(try output(tanh, x), y), 1e-3)
    }

    // MARK: kymo.config

    func testAKymoConfigThatDiffersIsRefusedNamingBothValuesAndStrictFalseLoadsWithNotes() throws {
        let dir = try temporaryDirectory("weights-config")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let saved = try Model(config: sam(.relu), seed: 3)
        try saved.save(to: dir + "/relu.safetensors")
        let tanh = try Model(config: sam(.tanh), seed: 4)
        let msg = refusal(tanh, dir + "/relu.safetensors")
        XCTAssertTrue(msg.hasPrefix(dir + "/relu.safetensors: the file was saved from another model (SAM-ConvLSTM seq2seq: 2 layers of 3"), msg)
        XCTAssertTrue(msg.contains("): activation relu in the file, tanh in this model. Build the model"), msg)
        XCTAssertTrue(msg.contains("strict: false"), msg)
        XCTAssertFalse(msg.contains("cannot be read"), msg)

        let report = try tanh.loadWeights(from: dir + "/relu.safetensors", options: WeightsLoadOptions(strict: false))
        XCTAssertEqual(report.notes.count, 1, "\(report.notes)")
        XCTAssertTrue(report.notes[0].contains("activation relu in the file, tanh in this model; the model keeps tanh"), report.notes[0])
        for (a, b) in zip(saved.parameters, tanh.parameters) { XCTAssertTrue(sameBits(a, b)) }

        // Shapes that coincide by accident: size 32, 1 channel, patch 4 and size 16,
        // 4 channels, patch 2 both give an 8×8 grid of 16 input channels.
        let a = ModelConfig(family: .samConvlstm, mode: .predictor, layers: 1, hidden: 2, size: 32, channels: 1, patch: 4,
                            framesIn: 2, framesOut: 1, attentionHidden: 2)
        var b = a
        b.size = 16; b.channels = 4; b.patch = 2
        let m32 = try Model(config: a, seed: 1), m16 = try Model(config: b, seed: 2)
        XCTAssertEqual(m32.namedParameters.map(\.tensor.shape), m16.namedParameters.map(\.tensor.shape))
        try m32.save(to: dir + "/s32.safetensors")
        let m = refusal(m16, dir + "/s32.safetensors")
        for part in ["size 32 in the file, 16 in this model", "channels 1 in the file, 4 in this model", "patch 4 in the file, 2 in this model"] {
            XCTAssertTrue(m.contains(part), "\(part) in: \(m)")
        }
        // an unreadable kymo.config: refused, or with strict: false loaded by names and shapes with a note
        var file = try Safetensors.read(path: dir + "/relu.safetensors")
        file.metadata[Model.configMetadataKey] = "{\"family\":\"sam_convlstm\"}"
        try Safetensors.write(file, path: dir + "/broken.safetensors")
        XCTAssertTrue(refusal(tanh, dir + "/broken.safetensors").contains("its kymo.config cannot be read (model config: missing or non-string key mode)"))
        let rb = try tanh.loadWeights(from: dir + "/broken.safetensors", options: WeightsLoadOptions(strict: false))
        XCTAssertEqual(rb.notes.count, 1)
        XCTAssertTrue(rb.notes[0].contains("loaded by names and shapes alone"), "\(rb.notes)")
        // a Kymo file that matches loads with no note at all
        let same = try Model(config: sam(.relu), seed: 9)
        let r = try same.loadWeights(from: dir + "/relu.safetensors")
        XCTAssertEqual(r.notes, [])
        XCTAssertEqual(r.source, "a Kymo weights file")
    }

    // MARK: dtypes and foreign files

    func testIntegerAndBoolTensorsAreRefusedNamingEach() throws {
        let m = try Model(config: sam(), seed: 1)
        let msg = refusal(m, fixture("sam_int.safetensors"))
        for part in ["sequential.sam-convlstm1.sam_convlstm_cell.convlstm_cell.conv.bias is int32 (I32)",
                     "sequential.conv3d.bias is int64 (I64)",
                     "sequential.sam-convlstm2.sam_convlstm_cell.attention_memory.w.bias is bool (BOOL)",
                     "sequential.layernorm1.weight is uint8 (U8)", "float tensors"] {
            XCTAssertTrue(msg.contains(part), "\(part) in: \(msg)")
        }
    }

    func testTorchSaveFilesAreRecognisedWithTheConversion() throws {
        let m = try Model(config: ModelConfig(family: .convlstm, mode: .seq2seq, layers: 1, hidden: 2, size: 4, framesIn: 2,
                                              framesOut: 1, activation: .relu), seed: 1)
        let conversion = "safetensors.torch.save_file(torch.load(p), \"x.safetensors\")"
        for (name, kind) in [("convlstm_zip.pt", "written by torch.save (a zip archive)"), ("convlstm_nested.pth", "written by torch.save (a zip archive)"),
                             ("convlstm_legacy.pt", "a Python pickle"), ("convlstm_pickle.safetensors", "a Python pickle")] {
            let msg = refusal(m, fixture(name))
            XCTAssertTrue(msg.contains(kind) && msg.contains(conversion) && msg.contains(name), "\(name): \(msg)")
            XCTAssertFalse(msg.contains("header length"), msg)
            // load_tensors reads through the same decoder
            XCTAssertThrowsError(try Safetensors.read(path: fixture(name))) { e in XCTAssertTrue("\(e)".contains(conversion)) }
        }
    }

    func testSaveWritesOnlySafetensorsNames() throws {
        let dir = try temporaryDirectory("weights-ext")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let m = try Model(config: sam(), seed: 1)
        XCTAssertThrowsError(try m.save(to: dir + "/model.pt")) { e in
            XCTAssertTrue("\(e)".contains("name it model.safetensors"), "\(e)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/model.pt"))
        try m.save(to: dir + "/model.safetensors")
    }

    // MARK: names

    func testWrapperPrefixesAreStrippedWithANoteOrByPrefix() throws {
        let check = try Safetensors.read(path: fixture("sam_relu_check.safetensors"))
        for (name, prefix) in [("sam_module.safetensors", "module."), ("sam_compiled.safetensors", "_orig_mod.")] {
            let m = try Model(config: sam(), seed: 1)
            let r = try m.loadWeights(from: fixture(name))
            XCTAssertTrue(r.notes.contains { $0.contains("every tensor name in the file starts with \"\(prefix)\"") }, "\(r.notes)")
            assertRelativeClose(try output(m, check["x"]!), check["y"]!, tol: 2e-6, name)
            let explicit = try Model(config: sam(), seed: 2)
            let r2 = try explicit.loadWeights(from: fixture(name), options: WeightsLoadOptions(prefix: prefix))
            XCTAssertTrue(r2.notes.contains { $0.contains("stripped the prefix \"\(prefix)\"") }, "\(r2.notes)")
        }
        let m = try Model(config: sam(), seed: 1)
        XCTAssertTrue(refusal(m, fixture("sam_module.safetensors"), WeightsLoadOptions(prefix: "model."))
            .contains("no tensor name starts with the prefix \"model.\""))
        // a prefix on some names only, whose removal collides with an unprefixed name
        let dir = try temporaryDirectory("weights-prefix")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var file = try Safetensors.read(path: fixture("sam_relu.safetensors"))
        file.tensors.append(("module." + file.tensors[0].name, file.tensors[0].tensor))
        try Safetensors.write(file, path: dir + "/both.safetensors")
        XCTAssertTrue(refusal(m, dir + "/both.safetensors", WeightsLoadOptions(prefix: "module."))
            .contains("two tensors of the file are read as \(file.tensors[0].name)"))
    }

    func testUpstreamLayerNamesAreReadWithANote() throws {
        let m = try Model(config: sam(), seed: 1)
        let r = try m.loadWeights(from: fixture("sam_upstream_names.safetensors"))
        XCTAssertTrue(r.notes.contains { $0.contains("upstream repository's layer names") && $0.contains("sa-convlstm1 as sam-convlstm1") }, "\(r.notes)")
        let check = try Safetensors.read(path: fixture("sam_relu_check.safetensors"))
        assertRelativeClose(try output(m, check["x"]!), check["y"]!, tol: 2e-6, "upstream names")
    }

    func testModeFamilyAndLayerMismatchesAreNamed() throws {
        var msg = refusal(try Model(config: sam(), seed: 1), fixture("sam_predictor.safetensors"))
        XCTAssertTrue(msg.contains("the file holds a predictor model's weights") && msg.contains("build it with mode: \"predictor\""), msg)
        XCTAssertLessThan(msg.count, 1200, msg)
        msg = refusal(try Model(config: sam(family: .saConvlstm), seed: 1), fixture("sam_relu.safetensors"))
        XCTAssertTrue(msg.contains("the file holds SAM-ConvLSTM weights; this is a SA-ConvLSTM model") || msg.contains("the file holds SAM-ConvLSTM weights; this is a"), msg)
        msg = refusal(try Model(config: sam(mode: .predictor), seed: 1), fixture("sam_relu.safetensors"))
        XCTAssertTrue(msg.contains("the file holds a seq2seq model's weights"), msg)
        var three = sam()
        three.layers = 3
        msg = refusal(try Model(config: three, seed: 1), fixture("sam_relu.safetensors"))
        XCTAssertTrue(msg.contains("the file has 2 layers, this model 3"), msg)
        XCTAssertTrue(msg.contains("missing tensors") && msg.contains("more"), msg)
    }

    func testMissingPeepholesAreSaidAndStrictFalseZeroesThem() throws {
        let m = try Model(config: sam(), seed: 1)
        let msg = refusal(m, fixture("sam_no_peepholes.safetensors"))
        XCTAssertTrue(msg.contains("the file has no peephole weights"), msg)
        let r = try m.loadWeights(from: fixture("sam_no_peepholes.safetensors"), options: WeightsLoadOptions(strict: false))
        XCTAssertTrue(r.notes.contains { $0.contains("no peephole weights") && $0.contains("set to zero") }, "\(r.notes)")
        let full = try Safetensors.read(path: fixture("sam_relu.safetensors"))
        for (name, p) in m.namedParameters {
            if WeightsDiagnosis.isPeephole(name) { XCTAssertEqual(p.toArray().map { abs($0) }.max(), 0, name) }
            else { XCTAssertTrue(sameBits(p, full[name]!), name) }
        }
    }

    func testShapeMismatchesAreCappedAndSayWhatTheFileImplies() throws {
        let msg = refusal(try Model(config: sam(), seed: 1), fixture("sam_hidden5.safetensors"))
        XCTAssertTrue(msg.contains("tensors of another shape"), msg)
        XCTAssertTrue(msg.contains(" more"), msg)
        XCTAssertTrue(msg.contains("model: the file's shapes imply hidden 5 (this model: 3); 45 tensors of another shape"), msg)
        XCTAssertLessThan(msg.count, 1500, "one capped message, not one entry per tensor: \(msg.count) characters")
    }

    // MARK: Kymo's own checkpoints

    func testAKymoTrainingCheckpointLoadsItsModelPart() throws {
        let dir = try temporaryDirectory("weights-ckpt")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cfg = ModelConfig(family: .samConvlstm, mode: .predictor, layers: 1, hidden: 3, size: 8, patch: 2,
                              framesIn: 2, framesOut: 2, attentionHidden: 2)
        let trained = try Model(config: cfg, seed: 1)
        let data = try BatchSource(sequences: movingSquares(n: 3, frames: 4, size: 8, seed: 1))
        let trainer = try Trainer(model: trained, train: data, options: TrainingOptions(steps: 2, batchSize: 2, seed: 3))
        _ = try trainer.run()
        let path = dir + "/train1.ckpt"
        try trainer.saveCheckpoint(to: path)
        let fresh = try Model(config: cfg, seed: 2)
        let r = try fresh.loadWeights(from: path)
        XCTAssertEqual(r.source, "the model part of a Kymo training checkpoint (step 2)")
        XCTAssertEqual(r.notes, [])
        for (a, b) in zip(trained.parameters, fresh.parameters) { XCTAssertTrue(sameBits(a, b)) }
        // its config is checked like a weights file's
        var other = cfg
        other.activation = .relu
        XCTAssertTrue(refusal(try Model(config: other, seed: 1), path).contains("activation tanh in the file, relu in this model"))
    }

    // MARK: the upstream SA doubling

    func testUpstreamDoublingReproducesTheUpstreamCell() throws {
        let check = try Safetensors.read(path: fixture("sa_upstream_check.safetensors"))
        let x = try XCTUnwrap(check["x"]), up = try XCTUnwrap(check["y_upstream"]), res = try XCTUnwrap(check["y_residual"])
        XCTAssertGreaterThan(maxDifference(up, res), 1e-3, "the fixture tells the two cells apart")
        var cfg = sam(family: .saConvlstm)
        cfg.upstreamDoubling = true
        let doubled = try Model(config: cfg, seed: 1)
        let r = try doubled.loadWeights(from: fixture("sa_upstream.safetensors"))
        XCTAssertFalse(r.notes.joined().contains("upstream_doubling: true"), "no advice to set what is set")
        assertRelativeClose(try output(doubled, x), up, tol: 2e-6, "upstream_doubling: true vs the upstream cell")
        XCTAssertGreaterThan(maxDifference(try output(doubled, x), res), 1e-3)

        let plain = try Model(config: sam(family: .saConvlstm), seed: 1)
        let r2 = try plain.loadWeights(from: fixture("sa_upstream.safetensors"))
        XCTAssertTrue(r2.notes.contains { $0.contains("also needs upstream_doubling: true") }, "\(r2.notes)")
        assertRelativeClose(try output(plain, x), res, tol: 2e-6, "default residual cell")

        // the option is part of the configuration: saved, compared, refused elsewhere
        XCTAssertTrue(cfg.json.contains("\"upstream_doubling\":true"))
        XCTAssertEqual(try ModelConfig(json: cfg.json), cfg)
        XCTAssertFalse(sam(family: .saConvlstm).json.contains("upstream_doubling"))
        let dir = try temporaryDirectory("weights-doubling")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try doubled.save(to: dir + "/d.safetensors")
        XCTAssertTrue(refusal(plain, dir + "/d.safetensors").contains("upstream_doubling true in the file, false in this model"))
        var bad = sam()
        bad.upstreamDoubling = true
        XCTAssertThrowsError(try bad.validate())
    }
}
